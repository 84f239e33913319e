import type { StepView } from '@/app/_lib/lab/state';
import { describeEcho, type EchoesBySeq } from '@/app/_lib/network-lab/echoes';

/** Every ping of this session, newest first, each echo shown as it arrives. */
export function PingLog({ steps, echoes }: { steps: readonly StepView[]; echoes: EchoesBySeq }) {
  const pings = steps.filter((s) => s.op === 'ping').reverse();
  if (!pings.length) return null;
  return (
    <ol className="m-0 list-none space-y-2 p-0" aria-label="Pings" data-testid="ping-log">
      {pings.map((p) => {
        if (p.op !== 'ping') return null;
        const seen = p.result?.echoes ?? echoes.get(p.seq) ?? [];
        return (
          <li key={p.seq} className="rounded-md bg-gray-50 p-2 font-mono text-xs dark:bg-gray-900" data-status={p.status} data-testid="ping-run">
            <p className="m-0 font-semibold">
              {p.args.host}$ ping -c {p.args.count ?? 4} {p.args.address}
            </p>
            <ul className="m-0 list-none p-0" aria-live="polite">
              {seen.map((e) => (
                <li key={e.seq} data-echo={e.status}>
                  {describeEcho(e, p.args.address)}
                </li>
              ))}
            </ul>
            {p.status === 'blocked' ? <p className="m-0 animate-pulse font-sans italic">waiting for the next echo…</p> : null}
            {p.result ? (
              <p className="m-0 font-sans font-semibold" data-testid="ping-summary">
                {p.result.sent} sent, {p.result.received} received
              </p>
            ) : null}
            {p.status === 'error' && p.error ? (
              <p className="m-0 font-sans text-red-800 dark:text-red-200">
                {p.error.code}: {p.error.message}
              </p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
