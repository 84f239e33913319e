'use client';
/**
 * "Replay from here" and "Run it again": starts a fresh lab session and re-runs recorded calls in
 * it, for real, with the Replayer. The replay waits for the new session's hello, and stops if the
 * learner starts over while it runs.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { differences, Replayer, type ReplayCall, type ReplayedCall } from './replayer';
import type { LabSessionApi } from './use-lab-session';

export interface ReplayProgress {
  done: number;
  total: number;
  /** Set when it has finished: the calls whose answer differs from the recording. */
  differences?: ReplayedCall[];
}

export function useReplay(lab: LabSessionApi): { progress: ReplayProgress | null; start: (calls: ReplayCall[]) => void; dismiss: () => void } {
  const { generation, client, status, reset } = lab;
  const hello = lab.state.hello;
  const pending = useRef<{ calls: ReplayCall[]; afterGeneration: number } | null>(null);
  const signal = useRef({ aborted: false });
  const [progress, setProgress] = useState<ReplayProgress | null>(null);
  const [runNow, setRunNow] = useState(0);

  const fresh = lab.state.steps.length === 0 && status === 'open';
  const start = useCallback(
    (calls: ReplayCall[]) => {
      signal.current.aborted = true;
      setProgress({ done: 0, total: calls.length });
      if (fresh) {
        // A session with no calls yet is as fresh as a new one: replay in it.
        pending.current = { calls, afterGeneration: generation - 1 };
        setRunNow((n) => n + 1);
      } else {
        pending.current = { calls, afterGeneration: generation };
        reset();
      }
    },
    [generation, reset, fresh],
  );

  useEffect(() => {
    const p = pending.current;
    if (!p) {
      // A new session that no replay asked for (the learner started over): any replay stops.
      signal.current.aborted = true;
      return;
    }
    if (generation <= p.afterGeneration || !client || status !== 'open' || !hello || hello.role !== 'owner') return;
    pending.current = null;
    const s = { aborted: false };
    signal.current = s;
    const replayer = new Replayer(client, p.calls, {
      callsPerSecond: hello.policy.limits.commandsPerSecond,
      signal: s,
      onProgress: (done, total) => {
        if (!s.aborted) setProgress({ done, total });
      },
    });
    void replayer.run().then((result) => {
      if (!s.aborted) setProgress({ done: result.length, total: p.calls.length, differences: differences(result) });
    });
  }, [generation, client, status, hello, runNow]);

  useEffect(
    () => () => {
      signal.current.aborted = true;
    },
    [],
  );

  return { progress, start, dismiss: useCallback(() => setProgress(null), []) };
}
