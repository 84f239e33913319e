'use client';
import { memo, useEffect, useState } from 'react';
import { ERRNO_MEANINGS } from '@/server/protocol/meanings';
import type { OptionValue } from '@/server/protocol';
import { describeCall, describeResult, type StepView } from '@/app/_lib/lab/state';
import { readingMeaning } from '@/app/_lib/lab/socket-options';
import { outcomeOf } from '@/app/_lib/lab/outcome';
import { firstMeeting } from '@/app/_lib/lab/seen-errors';
import { GlossaryTerm } from '../GlossaryTerm';

const TONE = {
  ok: 'border-emerald-600 bg-emerald-50 text-emerald-950 dark:border-emerald-500 dark:bg-emerald-950/40 dark:text-emerald-50',
  expected: 'border-amber-500 bg-amber-50 text-amber-950 dark:border-amber-500 dark:bg-amber-950/40 dark:text-amber-50',
  error: 'border-red-600 bg-red-50 text-red-950 dark:border-red-500 dark:bg-red-950/40 dark:text-red-50',
  blocked: 'border-amber-500 bg-amber-50 text-amber-950 dark:border-amber-500 dark:bg-amber-950/40 dark:text-amber-50',
};

/**
 * The latest call on a socket and the kernel's answer, on the socket's own card, right under the
 * controls that made it. A failure says what it means; the first time this browser meets an error
 * code, the explanation opens by itself.
 */
export const CallResult = memo(function CallResult({ step, asked }: { step: StepView; asked?: OptionValue }) {
  const outcome = outcomeOf(step);
  const code = step.error?.code;
  const known = code ? ERRNO_MEANINGS[code] : undefined;
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (outcome !== 'ok' && outcome !== 'blocked' && code && ERRNO_MEANINGS[code]) setOpen(firstMeeting(code));
    else setOpen(false);
  }, [step.seq, outcome, code]);
  if (outcome === 'blocked') return null; // the card already says what it waits for
  return (
    <div className={`mt-2 rounded-md border-l-4 px-2 py-1 text-xs ${TONE[outcome]}`} data-testid="call-result" data-outcome={outcome} data-seq={step.seq}>
      <p className="m-0 font-mono">
        <span className="sr-only">Last call: </span>
        {describeCall(step)} <span className="font-semibold">{describeResult(step)}</span>
      </p>
      {step.op === 'getsockopt' && step.status === 'ok' && step.result ? (
        // What the number means: a buffer size reads back doubled, a linger of 0 means a RST...
        <p className="m-0 mt-0.5" data-testid="option-reading">
          {readingMeaning(step.result.option, step.result.value, asked)}
        </p>
      ) : null}
      {step.status === 'error' && step.error ? (
        <>
          <p className="m-0 mt-0.5">
            <GlossaryTerm term={step.error.code} /> {known?.meaning ?? step.error.message}
          </p>
          {known ? (
            <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="mt-0.5" data-testid="call-why">
              <summary className="cursor-pointer font-semibold underline">{outcome === 'expected' ? 'Why this is not a failure' : 'Why, and what usually causes it'}</summary>
              <p className="m-0 mt-1">Usually: {known.cause}</p>
              {step.error.message !== known.meaning ? <p className="m-0 mt-1 opacity-90">The lab says: {step.error.message}</p> : null}
            </details>
          ) : null}
        </>
      ) : null}
    </div>
  );
});
