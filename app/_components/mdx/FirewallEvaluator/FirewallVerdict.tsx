import type { Action, Verdict } from '@/app/_lib/firewall';

const TONE: Record<Action, { label: string; cls: string }> = {
  allow: { label: 'Allowed', cls: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100' },
  deny: { label: 'Denied (dropped)', cls: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100' },
  reject: { label: 'Rejected', cls: 'bg-orange-100 text-orange-900 dark:bg-orange-900/60 dark:text-orange-100' },
};

/** The decision, how it was reached, and what the other end experiences. */
export function FirewallVerdict({ verdict, direction }: { verdict: Verdict; direction: 'in' | 'out' }) {
  const t = TONE[verdict.action];
  return (
    <div className="rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <p className="text-sm text-gray-900 dark:text-gray-100">
        <span className={`mr-2 inline-block rounded-md px-2 py-0.5 text-base font-bold ${t.cls}`}>{t.label}</span>
        {verdict.summary}
      </p>
      <p className="mt-2 text-sm text-gray-900 dark:text-gray-100">
        <strong className="font-semibold">{direction === 'in' ? 'What the sender sees: ' : 'What the program on this machine sees: '}</strong>
        {verdict.effect}
      </p>
    </div>
  );
}
