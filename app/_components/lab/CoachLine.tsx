'use client';
import { memo } from 'react';
import type { KernelRow } from '@/server/protocol';
import { coachFor, nextText } from '@/app/_lib/lab/coach';
import type { SockView, StepView } from '@/app/_lib/lab/state';
import { TermText } from '../TermText';

const TONE = {
  ok: 'border-blue-500 bg-blue-50/70 dark:border-blue-400 dark:bg-blue-950/30',
  blocked: 'border-amber-500 bg-amber-50 dark:border-amber-500 dark:bg-amber-950/30',
  expected: 'border-amber-500 bg-amber-50 dark:border-amber-500 dark:bg-amber-950/30',
  error: 'border-red-600 bg-red-50 dark:border-red-500 dark:bg-red-950/30',
};

/** Free play's coach: after every call, what just happened in the kernel and what makes sense next. */
export const CoachLine = memo(function CoachLine({ step, sockets, kernel }: { step: StepView | undefined; sockets: SockView[]; kernel: KernelRow[] }) {
  if (!step) {
    return (
      <p className={`m-0 rounded-lg border-l-4 px-3 py-2 text-sm ${TONE.ok}`} data-testid="coach" data-tone="start">
        <span className="font-semibold">Coach: </span>
        start with socket() above. A server then calls bind(), listen() and accept(); a client calls connect(). Or pick a guided scenario.
      </p>
    );
  }
  const coach = coachFor(step, sockets, kernel);
  const next = nextText(coach.next);
  return (
    <div className={`rounded-lg border-l-4 px-3 py-2 text-sm ${TONE[coach.tone]}`} data-testid="coach" data-tone={coach.tone} data-seq={step.seq}>
      <p className="m-0">
        <span className="font-semibold">Coach, after step {step.seq}: </span>
        <TermText text={coach.text} />
      </p>
      {next ? (
        <p className="m-0 mt-1 font-mono text-xs" data-testid="coach-next">
          {next}
        </p>
      ) : null}
    </div>
  );
});
