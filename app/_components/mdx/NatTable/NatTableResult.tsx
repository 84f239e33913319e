import type { Outcome, SendResult } from '@/app/_lib/nat';
import { NatTablePacketCard } from './NatTablePacketCard';

const OUTCOME: Record<Outcome, { label: string; tone: string }> = {
  translated: { label: 'Translated', tone: 'bg-blue-100 text-blue-900 dark:bg-blue-900/60 dark:text-blue-100' },
  reply: { label: 'Reply let in', tone: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100' },
  forwarded: { label: 'Forwarded', tone: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100' },
  dropped: { label: 'Dropped', tone: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100' },
  local: { label: 'Stays on the LAN', tone: 'bg-gray-200 text-gray-900 dark:bg-gray-700 dark:text-gray-100' },
};

/** The last packet: before and after the router, with the rewritten fields marked, and why. */
export function NatTableResult({ result }: { result: SendResult }) {
  const o = OUTCOME[result.outcome];
  return (
    <div className="rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <p className="text-sm text-gray-900 dark:text-gray-100">
        <span className={`mr-2 inline-block rounded-md px-2 py-0.5 font-bold ${o.tone}`}>{o.label}</span>
        {result.explanation}
      </p>
      <div className="mt-3 grid gap-2 sm:grid-cols-2">
        <NatTablePacketCard title={result.before.direction === 'outbound' ? 'Before: as it left the LAN machine' : 'Before: as it arrived from the internet'} packet={result.before} />
        <NatTablePacketCard title="After the router" packet={result.after} compare={result.before} />
      </div>
    </div>
  );
}
