'use client';
import { useId, useMemo, useState } from 'react';
import type { FeedItem } from '@/server/protocol/class';
import { clock } from '@/app/_lib/class/format';

/** The class's newest lab calls, newest first, errors in red; "errors only" narrows it down. */
export function LabFeed({ feed }: { feed: FeedItem[] }) {
  const id = useId();
  const [errorsOnly, setErrorsOnly] = useState(false);
  const items = useMemo(() => {
    const newestFirst = [...feed].reverse();
    return errorsOnly ? newestFirst.filter((f) => f.outcome !== 'ok') : newestFirst;
  }, [feed, errorsOnly]);
  return (
    <section aria-labelledby={`${id}-h`} className="space-y-2">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h2 id={`${id}-h`} className="m-0 text-xl font-bold">
          Live lab feed
        </h2>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={errorsOnly} onChange={(e) => setErrorsOnly(e.target.checked)} /> errors only
        </label>
      </div>
      {items.length === 0 ? (
        <p className="m-0 text-gray-700 dark:text-gray-300">{errorsOnly ? 'No errors among the newest calls.' : 'No lab calls yet.'}</p>
      ) : (
        <div className="relative max-h-[26rem] overflow-auto rounded-lg border border-gray-300 dark:border-gray-700" tabIndex={0} role="region" aria-label="Lab calls, newest first (scrolls)">
          <ol className="m-0 list-none p-0 text-sm" data-testid="lab-feed">
            {items.map((f, i) => {
              const failed = f.outcome !== 'ok';
              return (
                <li
                  key={`${f.at}-${f.student}-${f.call}-${i}`}
                  className={`flex flex-wrap items-baseline gap-x-2 border-t border-gray-200 px-2 py-1 first:border-t-0 dark:border-gray-800 ${failed ? 'border-l-4 border-l-red-600 bg-red-50 dark:bg-red-950/40' : ''}`}
                >
                  <span className="text-xs text-gray-600 tabular-nums dark:text-gray-400">{clock(f.at)}</span>
                  <span className="font-semibold">{f.student}</span>
                  <code className="min-w-0 font-mono break-all">{f.call}</code>
                  <span className={failed ? 'font-bold text-red-800 dark:text-red-200' : 'text-emerald-800 dark:text-emerald-300'}>
                    {failed ? f.outcome : 'ok'}
                  </span>
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </section>
  );
}
