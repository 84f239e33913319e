'use client';
import { ERRNO_MEANINGS } from '@/server/protocol/meanings';
import { sortTallies, tallySentence, type Tally } from '@/app/_lib/class/format';

/** What the class is stuck on: "12 students got EADDRINUSE", with what that error means. */
export function ErrorTallies({ errors }: { errors: Tally[] }) {
  const sorted = sortTallies(errors);
  return (
    <section aria-labelledby="tallies-heading" className="space-y-2">
      <h2 id="tallies-heading" className="m-0 text-xl font-bold">
        Errors in the last five minutes
      </h2>
      {sorted.length === 0 ? (
        <p className="m-0 text-gray-700 dark:text-gray-300">No errors.</p>
      ) : (
        <ul className="m-0 list-none space-y-1.5 p-0" data-testid="error-tallies">
          {sorted.map((t) => (
            <li key={t.code} className="rounded-lg border border-red-200 bg-red-50 px-3 py-1.5 dark:border-red-900 dark:bg-red-950/40">
              <span className="font-semibold">{tallySentence(t)}</span>
              {ERRNO_MEANINGS[t.code] ? <span className="block text-sm text-gray-800 dark:text-gray-200">{ERRNO_MEANINGS[t.code].meaning}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
