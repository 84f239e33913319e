'use client';
import dynamic from 'next/dynamic';
import { lazyWidget } from '../lazy-widget';

/**
 * The checking part of a challenge: the lab client and the result view load only in the browser,
 * so a lesson's first load carries none of it.
 */
export const ChallengeCheck = lazyWidget(
  dynamic(() => import('./ChallengeRunner').then((m) => m.ChallengeRunner), { ssr: false }),
  { title: 'Check it', minHeight: 'min-h-[3rem]' },
);
