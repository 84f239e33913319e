'use client';
import dynamic from 'next/dynamic';
import { lazyWidget } from '../lazy-widget';

export const NatTable = lazyWidget(
  dynamic(() => import('./NatTableTool').then((m) => m.NatTableTool)),
  { title: 'Home router: NAT and port forwarding', minHeight: 'min-h-[72rem]' },
);
