import type { CheckResult } from '@/server/protocol';

/** Each check the lab made, passed or not, with what the kernel said. */
export function ChallengeResult({ result }: { result: CheckResult }) {
  const held = result.checks.filter((c) => c.passed).length;
  return (
    <div className="text-sm" data-testid="challenge-result" data-passed={result.passed}>
      <p className={`m-0 font-semibold ${result.passed ? 'text-emerald-800 dark:text-emerald-300' : 'text-amber-900 dark:text-amber-200'}`}>
        {result.passed ? 'Passed' : 'Not yet'}: {held} of {result.checks.length} checks held.
      </p>
      <ul className="mt-1 list-none space-y-1 pl-0">
        {result.checks.map((c, i) => (
          <li key={i} className="flex gap-2">
            <span aria-hidden="true" className={c.passed ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}>
              {c.passed ? '✓' : '✗'}
            </span>
            <span>
              <span className="sr-only">{c.passed ? 'Held: ' : 'Failed: '}</span>
              {c.name}: <span className="font-mono text-xs break-words">{c.detail}</span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
