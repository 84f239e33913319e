'use client';
/**
 * Capture for a guided network walk: started by the walk's first step (the one that builds the
 * network), so every later step's packets are there to show under it. Only the session's owner
 * starts it, only where the server can capture the sandbox links, and never twice: if the packet
 * view is already capturing, or the learner stopped it there, this leaves it be.
 */
import { useCallback, useMemo, useState } from 'react';
import type { LabSessionApi } from '../use-lab-session';
import { canCapture } from './store';

export interface StepCapture {
  /** Starts capturing if it can; resolves once the server answered (never rejects). */
  start: () => Promise<void>;
  /** Why the server refused to start, in one line, for the session it refused in. */
  refused: string | null;
}

export function useStepCapture(lab: Pick<LabSessionApi, 'packets' | 'call' | 'state' | 'generation'>): StepCapture {
  const { packets, call, state, generation } = lab;
  const owner = state.hello?.role === 'owner';
  const capture = packets.capture;
  const [refused, setRefused] = useState<{ generation: number; line: string } | null>(null);
  const start = useCallback(async () => {
    if (!owner || !canCapture(capture, 'sandbox') || capture?.state !== 'off') return;
    const r = await call('capture', { action: 'start' });
    if (!r.ok && r.error.code !== 'E_CANCELLED') setRefused({ generation, line: `Packets cannot be captured: ${r.error.message} (${r.error.code})` });
  }, [owner, capture, call, generation]);
  const line = refused && refused.generation === generation ? refused.line : null;
  return useMemo(() => ({ start, refused: line }), [start, line]);
}
