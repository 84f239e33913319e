import type { Action } from '@/app/_lib/firewall';

/** Where evaluation stood on one rule. */
export type RowState = { kind: 'decides'; action: Action } | { kind: 'skipped'; reason: string } | { kind: 'unreached' } | { kind: 'idle' };

/** The short line at the top of a rule: it decided, it did not match (and why), or it was never reached. */
export function FirewallRuleStatus({ state }: { state: RowState }) {
  if (state.kind === 'decides') {
    return <span className="rounded-md bg-blue-700 px-2 py-0.5 text-xs font-bold text-white dark:bg-blue-600">First match: decides</span>;
  }
  if (state.kind === 'skipped') return <span className="text-xs text-gray-700 dark:text-gray-300">No match ({state.reason})</span>;
  if (state.kind === 'unreached') return <span className="text-xs text-gray-700 dark:text-gray-300">Not reached: an earlier rule decided</span>;
  return null;
}
