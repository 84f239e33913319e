'use client';
import { useId, useState } from 'react';
import { saveChallengePassed, useProgress } from '@/app/_lib/progress';
import type { ChallengeId, CheckResult, LabError } from '@/server/protocol';
import type { CallResult } from '@/server/protocol/client';
import { ChallengeResult } from './ChallengeResult';

export interface ChallengePanelProps {
  id: ChallengeId;
  lesson: string;
  title: string;
  /** Asks the lab; null while it cannot (no network yet, not connected). */
  check: (() => Promise<CallResult<'check'>>) | null;
  /** Why the button is not there yet. */
  notReady: string;
}

const BUTTON = 'rounded-md bg-violet-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-violet-800 disabled:opacity-50';

/**
 * The button and its answer. The answer lands in a live region (a screen reader hears "passed" or
 * "not yet" and how many checks held); a pass is saved with the lesson's progress.
 */
export function ChallengePanel({ id, lesson, title, check, notReady }: ChallengePanelProps) {
  const statusId = useId();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<LabError | null>(null);
  const passedAt = useProgress()[lesson]?.challenges?.[id];

  async function run() {
    if (!check) return;
    setBusy(true);
    setError(null);
    const r = await check();
    setBusy(false);
    if (!r.ok) {
      setResult(null);
      setError(r.error);
      return;
    }
    setResult(r.result);
    if (r.result.passed) saveChallengePassed(lesson, id);
  }

  return (
    <div className="mt-3 space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        {check ? (
          <button type="button" className={BUTTON} onClick={run} disabled={busy} aria-describedby={statusId} data-testid="challenge-check">
            {busy ? 'Checking…' : `Check “${title}”`}
          </button>
        ) : (
          <p className="m-0 text-sm">{notReady}</p>
        )}
        {passedAt !== undefined && (
          <p className="m-0 text-sm font-semibold text-emerald-800 dark:text-emerald-300" data-testid="challenge-passed">
            ✓ Passed (counted in your progress)
          </p>
        )}
      </div>
      <div id={statusId} role="status" aria-live="polite" data-testid="challenge-status">
        {busy && <p className="m-0 text-sm">The lab is checking the kernel…</p>}
        {!busy && error && (
          <p className="m-0 text-sm text-red-800 dark:text-red-300">
            The lab could not check it ({error.code}): {error.message}
          </p>
        )}
        {!busy && result && <ChallengeResult result={result} />}
      </div>
    </div>
  );
}
