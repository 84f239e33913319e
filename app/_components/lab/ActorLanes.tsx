'use client';
import { memo } from 'react';
import type { KernelRow, Policy } from '@/server/protocol';
import { formatEndpoint, type SockView, type StepView } from '@/app/_lib/lab/state';
import { laneColor } from '@/app/_lib/lab/lane-colors';
import type { ProvisionalCall } from '@/app/_lib/lab/provisional';
import type { CallRequest } from './CallForm';
import { SocketCard } from './SocketCard';

interface Props {
  lanes: string[];
  sockets: SockView[];
  kernel: KernelRow[];
  policy: Policy | null;
  connected: boolean;
  /** The server's engine (the fallback one cannot make option calls). */
  engine?: 'native' | 'node';
  /** A viewer's mirror: cards without controls. */
  readOnly?: boolean;
  showClosed: boolean;
  /** Each socket's newest call, for its card. */
  lastSteps?: ReadonlyMap<string, StepView>;
  /** Each socket's newest call not yet answered, for its card. */
  provisional?: ReadonlyMap<string, ProvisionalCall>;
  onCall: (req: CallRequest) => void;
}

/** One column per program: the server, the client(s), and "outside" for programs not in the lab. */
export const ActorLanes = memo(function ActorLanes({ lanes, sockets, kernel, policy, connected, engine, readOnly = false, showClosed, lastSteps, provisional, onCall }: Props) {
  const listening = sockets.find((s) => !s.closed && s.local && (s.listening || s.type === 'udp'));
  const suggestedPort = listening?.local?.port ?? null;
  if (!lanes.length) {
    return <p className="m-0 rounded-lg border border-dashed border-gray-300 p-4 text-sm text-gray-600 dark:border-gray-700 dark:text-gray-400">{readOnly ? 'No sockets yet.' : 'No sockets yet. Create one with socket() above, or step through the scenario.'}</p>;
  }
  return (
    <div className="grid gap-3" style={{ gridTemplateColumns: `repeat(auto-fit, minmax(min(100%, 15rem), 1fr))` }}>
      {lanes.map((lane) => {
        const color = laneColor(lanes, lane);
        const own = sockets.filter((s) => s.actor === lane && (showClosed || !s.closed));
        const outside = lane === 'outside' ? kernel.filter((r) => r.relation === 'outside') : [];
        return (
          <section key={lane} aria-label={`Program: ${lane}`} className={`min-w-0 rounded-xl border-t-4 ${color.border} bg-gray-50 p-2 dark:bg-gray-900/50`} data-lane={lane}>
            <h3 className={`m-0 mb-2 text-sm font-bold ${color.text}`}>{lane === 'outside' ? 'outside the lab (nc, python…)' : lane}</h3>
            <div className="space-y-2">
              {own.map((s) => (
                <SocketCard key={s.handle} sock={s} kernel={kernel} color={color} policy={policy} suggestedPort={suggestedPort} connected={connected} engine={engine} readOnly={readOnly} lastStep={lastSteps?.get(s.handle)} provisional={provisional?.get(s.handle)} onCall={onCall} />
              ))}
              {own.length === 0 && outside.length === 0 ? (
                <p className="m-0 text-xs text-gray-600 dark:text-gray-400">All of its sockets are closed{showClosed ? '' : ' (tick "show closed sockets" to see them)'}.</p>
              ) : null}
              {outside.map((r) => (
                <article key={`${r.inode}-${r.local.port}`} className="rounded-lg border border-gray-200 bg-white p-2 font-mono text-xs dark:border-gray-700 dark:bg-gray-900" data-outside>
                  <p className="m-0 font-sans text-sm font-semibold">another program&apos;s socket</p>
                  <p className="m-0">
                    {formatEndpoint(r.local)} → {formatEndpoint(r.remote)} · {r.state}
                  </p>
                  <p className="m-0 font-sans text-gray-600 dark:text-gray-400">connected to {r.of}</p>
                </article>
              ))}
            </div>
          </section>
        );
      })}
    </div>
  );
});
