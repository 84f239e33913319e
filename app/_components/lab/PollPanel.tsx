'use client';
import { memo, useId, useState } from 'react';
import { EMPTY_POLL_DRAFT, pickOf, pollableSockets, pollArgs, type PollDraft } from '@/app/_lib/lab/poll-form';
import { describeCall, type SockView, type StepView } from '@/app/_lib/lab/state';
import type { CallRequest } from './CallForm';
import { PollAnswer } from './PollAnswer';

interface Props {
  sockets: SockView[];
  /** The newest poll() of the session, if any: its waiting state or its answer is shown here. */
  lastPoll?: StepView;
  engine?: 'native' | 'node';
  connected: boolean;
  onCall: (req: CallRequest) => void;
}

const FIELD = 'rounded border border-gray-300 bg-white px-2 py-1 text-sm dark:border-gray-600 dark:bg-gray-900';

/** What a socket is, in a few words, so the learner can tell a listener from a connection. */
function roleOf(s: SockView): string {
  if (s.listening) return 'listening';
  if (s.acceptedFrom) return `accepted from ${s.acceptedFrom}`;
  if (s.remote) return s.type === 'udp' ? 'UDP, connected' : 'connected';
  return s.type === 'udp' ? 'UDP' : 'not connected';
}

/**
 * poll(): one call over several of the session's sockets, so it sits on the lab, above the lanes,
 * not on a socket's card. Pick sockets and events, a timeout, call; a waiting poll shows as blocked.
 */
export const PollPanel = memo(function PollPanel({ sockets, lastPoll, engine, connected, onCall }: Props) {
  const id = useId();
  const [draft, setDraft] = useState<PollDraft>(EMPTY_POLL_DRAFT);
  const [problem, setProblem] = useState<{ field: 'socks' | 'ms'; message: string } | null>(null);
  const open = pollableSockets(sockets);
  const waiting = lastPoll?.status === 'blocked' ? lastPoll : undefined;
  const polled = waiting && waiting.op === 'poll' ? waiting.args.socks.map((p) => p.sock).filter((h) => open.some((s) => s.handle === h)) : [];

  function setPick(handle: string, event: 'in' | 'out', on: boolean) {
    setDraft((d) => ({ ...d, picks: { ...d.picks, [handle]: { ...pickOf(d, handle), [event]: on } } }));
    setProblem(null);
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const built = pollArgs(draft, open);
    if (!built.ok) {
      setProblem({ field: built.field, message: built.message });
      return;
    }
    setProblem(null);
    onCall({ op: 'poll', args: built.args });
  }

  return (
    <details className="rounded-lg border border-gray-300 p-2 dark:border-gray-700" data-testid="poll-panel">
      <summary className="cursor-pointer text-sm font-bold">
        <span className="font-mono">poll()</span>: wait on several sockets at once
      </summary>
      <p className="m-0 mt-1 text-xs text-gray-700 dark:text-gray-300">
        One real <code>poll(2)</code>: it says which of the sockets you pick is ready, so one thread can serve many clients without a blocking call waiting on the wrong one.
      </p>
      {engine === 'node' ? (
        <p className="m-0 mt-1 rounded bg-amber-100 px-2 py-1 text-xs text-amber-950 dark:bg-amber-900/40 dark:text-amber-50" data-testid="poll-unsupported">
          This lab server runs the fallback engine, which cannot make a real poll(2) (Node&apos;s sockets do not expose the kernel&apos;s readiness): the call answers E_UNSUPPORTED. Try it to see; the native engine makes it for real.
        </p>
      ) : null}
      {open.length === 0 ? (
        <p className="m-0 mt-2 text-xs text-gray-600 dark:text-gray-400">No open sockets yet: make some with socket() first.</p>
      ) : (
        <form onSubmit={submit} className="mt-2 space-y-2" noValidate>
          <fieldset className="m-0 border-0 p-0" aria-describedby={problem?.field === 'socks' ? `${id}-problem` : undefined}>
            <legend className="text-xs font-semibold">Watch these sockets for</legend>
            <ul className="m-0 mt-1 grid list-none gap-1 p-0" style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 13rem), 1fr))' }}>
              {open.map((s) => {
                const pick = pickOf(draft, s.handle);
                return (
                  <li key={s.handle} className="flex flex-wrap items-center gap-x-3 rounded border border-gray-200 px-2 py-1 text-xs dark:border-gray-700" data-poll-sock={s.handle}>
                    <span className="min-w-[6rem]">
                      <span className="font-mono font-bold">{s.handle}</span> <span className="text-gray-600 dark:text-gray-400">{s.actor}, {roleOf(s)}</span>
                    </span>
                    <label className="flex items-center gap-1">
                      <input type="checkbox" checked={pick.in} onChange={(e) => setPick(s.handle, 'in', e.target.checked)} aria-label={`${s.handle}: in (ready to read or accept)`} /> in
                    </label>
                    <label className="flex items-center gap-1">
                      <input type="checkbox" checked={pick.out} onChange={(e) => setPick(s.handle, 'out', e.target.checked)} aria-label={`${s.handle}: out (room to send)`} /> out
                    </label>
                  </li>
                );
              })}
            </ul>
          </fieldset>
          <fieldset className="m-0 flex flex-wrap items-center gap-x-3 gap-y-1 border-0 p-0 text-xs">
            <legend className="mb-1 text-xs font-semibold">Timeout</legend>
            <label className="flex items-center gap-1">
              <input type="radio" name={`${id}-timeout`} checked={draft.timeout === 'wait'} onChange={() => setDraft((d) => ({ ...d, timeout: 'wait' }))} /> wait until one is ready (-1)
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name={`${id}-timeout`} checked={draft.timeout === 'look'} onChange={() => setDraft((d) => ({ ...d, timeout: 'look' }))} /> just look (0)
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name={`${id}-timeout`} checked={draft.timeout === 'ms'} onChange={() => setDraft((d) => ({ ...d, timeout: 'ms' }))} /> at most
            </label>
            <label className="flex items-center gap-1">
              <input
                className={`${FIELD} w-24`}
                inputMode="numeric"
                value={draft.ms}
                disabled={draft.timeout !== 'ms'}
                onChange={(e) => {
                  setDraft((d) => ({ ...d, ms: e.target.value.slice(0, 6) }));
                  setProblem(null);
                }}
                aria-invalid={problem?.field === 'ms'}
                aria-describedby={problem?.field === 'ms' ? `${id}-problem` : undefined}
              />{' '}
              ms
            </label>
          </fieldset>
          <div className="flex flex-wrap items-center gap-2">
            <button type="submit" disabled={!connected || waiting !== undefined} className="rounded-md bg-blue-700 px-3 py-1 font-mono text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50" data-testid="poll-call">
              poll()
            </button>
            {problem ? (
              <p id={`${id}-problem`} role="alert" className="m-0 text-xs font-semibold text-red-800 dark:text-red-300">
                {problem.message}
              </p>
            ) : null}
          </div>
        </form>
      )}
      {waiting ? (
        <div className="mt-2 rounded-md border-l-4 border-amber-500 bg-amber-50 px-2 py-1 text-xs text-amber-950 dark:bg-amber-950/40 dark:text-amber-50" data-testid="poll-blocked">
          <p className="m-0 animate-pulse font-semibold" role="status">
            blocked in {describeCall(waiting)}: waiting for the kernel
          </p>
          <p className="m-0 mt-1">A waiting poll(2) returns when one of its sockets is ready or its timeout passes. To stop it sooner, close one of its sockets (in a real program, another thread would):</p>
          <div className="mt-1 flex flex-wrap gap-2">
            {polled.map((h) => (
              <button key={h} type="button" onClick={() => onCall({ op: 'close', args: { sock: h } })} className="rounded-md border border-amber-700 px-2 py-0.5 font-semibold hover:bg-amber-100 dark:border-amber-400 dark:hover:bg-amber-900">
                Cancel: close {h}
              </button>
            ))}
          </div>
        </div>
      ) : lastPoll ? (
        <PollAnswer step={lastPoll} sockets={sockets} />
      ) : null}
    </details>
  );
});
