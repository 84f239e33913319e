'use client';
import { useEffect, useRef } from 'react';
import { describeCall, describeResult, type StepView } from '@/app/_lib/lab/state';

const SHOWN = 200;

/** One program's calls as they happen: each accept, recv and send, with its byte count. */
export function ServerStepLog({ steps, actor }: { steps: StepView[]; actor: string }) {
  const mine = steps.filter((s) => s.actor === actor);
  const shown = mine.slice(-SHOWN);
  const end = useRef<HTMLOListElement>(null);
  // Keep the newest line in view by scrolling the list itself, never the page.
  useEffect(() => {
    const list = end.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [shown.length]);
  return (
    <section aria-label={`The ${actor}'s system calls`} className="flex min-w-0 flex-col rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <h4 className="m-0 text-sm font-bold">The server&apos;s system calls</h4>
      <p className="m-0 text-xs text-gray-600 dark:text-gray-400">
        {mine.length} call{mine.length === 1 ? '' : 's'} so far{mine.length > SHOWN ? ` (the last ${SHOWN} shown)` : ''}. Waiting calls are amber.
      </p>
      <ol ref={end} className="m-0 mt-2 h-64 list-none space-y-0.5 overflow-y-auto rounded bg-gray-50 p-2 font-mono text-xs dark:bg-gray-900" data-testid="server-steps" tabIndex={0} aria-label="Server calls">
        {shown.map((s) => (
          <li key={s.seq} data-op={s.op} data-status={s.status} className={s.status === 'blocked' ? 'text-amber-800 dark:text-amber-300' : s.status === 'error' ? 'text-red-800 dark:text-red-300' : ''}>
            <span className="text-gray-500 dark:text-gray-400">{s.seq}.</span> {describeCall(s)} {describeResult(s)}
          </li>
        ))}
      </ol>
    </section>
  );
}
