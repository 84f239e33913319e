'use client';
import dynamic from 'next/dynamic';
import { lazyWidget } from '../lazy-widget';

export const FirewallEvaluator = lazyWidget(
  dynamic(() => import('./FirewallEvaluatorTool').then((m) => m.FirewallEvaluatorTool)),
  { title: 'Firewall rule evaluator', minHeight: 'min-h-[68rem]' },
);
