'use client';
import dynamic from 'next/dynamic';
import { lazyWidget } from '../lazy-widget';

export const IpExplorer = lazyWidget(
  dynamic(() => import('./IpExplorerTool').then((m) => m.IpExplorerTool)),
  { title: 'IP address explorer', minHeight: 'min-h-[46rem]' },
);
