'use client';
import dynamic from 'next/dynamic';
import { lazyWidget } from '../lazy-widget';

/**
 * The sandbox network on a lesson page. It opens its own /lab session in the browser only, so it is
 * never rendered on the server (`ssr: false`): the placeholder holds its place meanwhile.
 */
export const NetworkLab = lazyWidget(
  dynamic(() => import('./NetworkLabTool').then((m) => m.NetworkLabTool), { ssr: false }),
  { title: 'Sandbox network: your own hosts, router and firewall', minHeight: 'min-h-[12rem]' },
);
