'use client';
import { memo } from 'react';
import { describeCall } from '@/app/_lib/lab/state';
import type { ProvisionalCall } from '@/app/_lib/lab/provisional';

interface Props {
  call: ProvisionalCall;
  /** The program the call will belong to. */
  lane: string;
  column: number;
}

/**
 * A call on its way to the kernel, drawn in the frame of the click and replaced by the real step
 * when the server answers. Grey and dashed, with no seq, no result and no status colour, and not a
 * button: nothing about it may pass for an answer, and there is nothing to select yet.
 */
export const TimelineProvisionalRow = memo(function TimelineProvisionalRow({ call, lane, column }: Props) {
  const text = `calling ${describeCall(call)}…`;
  return (
    <div role="listitem" className="mb-1 grid gap-x-2 [grid-template-columns:var(--timeline-columns)]" data-provisional="true" data-op={call.op} data-call-id={String(call.id)}>
      <span className="self-center pr-1 text-right font-mono text-xs text-gray-500 dark:text-gray-400" style={{ gridColumn: 1, gridRow: 1 }} aria-hidden="true">
        …
      </span>
      <div className="min-w-0 rounded-md border border-dashed border-gray-400 bg-gray-50 px-2 py-1 text-xs text-gray-700 dark:border-gray-500 dark:bg-gray-900 dark:text-gray-300" style={{ gridColumn: column + 2, gridRow: 1 }}>
        <span className="block font-mono font-semibold [overflow-wrap:anywhere]">{text}</span>
        <span className="block italic">no answer yet</span>
        <span className="sr-only"> by {lane}</span>
      </div>
    </div>
  );
});
