'use client';
import dynamic from 'next/dynamic';
import { lazyWidget } from '../lazy-widget';

export const ByteView = lazyWidget(
  dynamic(() => import('./ByteViewTool').then((m) => m.ByteViewTool)),
  { title: 'Bytes on the wire', minHeight: 'min-h-[30rem]' },
);
