'use client';
import { memo, useMemo, useState } from 'react';
import type { KernelRow, Op, Policy } from '@/server/protocol';
import { describeCall, formatEndpoint, kernelStateOf, type SockView, type StepView } from '@/app/_lib/lab/state';
import type { ProvisionalCall } from '@/app/_lib/lab/provisional';
import { adviseCalls, type CallAdvice } from '@/app/_lib/lab/next-call';
import type { LaneColor } from '@/app/_lib/lab/lane-colors';
import { count, NOUNS } from '@/app/_lib/plural';
import { GlossaryTerm } from '../GlossaryTerm';
import { CallForm, type CallRequest } from './CallForm';
import { CallResult } from './CallResult';

interface Props {
  sock: SockView;
  kernel: KernelRow[];
  color: LaneColor;
  policy: Policy | null;
  suggestedPort: number | null;
  connected: boolean;
  /** The server's engine: the fallback one cannot make option calls, and the card says so. */
  engine?: 'native' | 'node';
  readOnly?: boolean;
  /** The newest call on this socket (or the one that made it), shown under the controls. */
  lastStep?: StepView;
  /** The newest call on this socket still waiting for the server's answer: shown instead of the last result. */
  provisional?: ProvisionalCall;
  onCall: (req: CallRequest) => void;
}

/**
 * The call to select on the card after its newest one: getsockopt() after a setsockopt() (read back
 * what the kernel kept), the learner's own choice after a question that changed nothing, otherwise
 * the advised call.
 */
function nextOpAfter(last: StepView, advice: CallAdvice): Op | null {
  if (last.op === 'setsockopt' && last.status === 'ok') return 'getsockopt';
  if (last.op === 'getsockname' || last.op === 'getpeername' || last.op === 'getsockopt') return null;
  return advice.suggested;
}

/** One socket: its handle and fd, addresses, the kernel's state for it, and controls for every call. */
export const SocketCard = memo(function SocketCard({ sock, kernel, color, policy, suggestedPort, connected, engine, readOnly = false, lastStep, provisional, onCall }: Props) {
  const [open, setOpen] = useState(true);
  const state = kernelStateOf(sock, kernel);
  const row = kernel.find((r) => r.sock === sock.handle && r.relation === 'own');
  // The same object while the advice is the same, so the call form skips redrawing on a kernel refresh.
  const adviceKey = JSON.stringify(adviseCalls({ sock, row, engine }));
  const advice = useMemo(() => JSON.parse(adviceKey) as CallAdvice, [adviceKey]);
  const lastSeq = lastStep && lastStep.status !== 'blocked' ? lastStep.seq : null;
  const nextOp = lastStep ? nextOpAfter(lastStep, advice) : advice.suggested;
  const asked = lastStep?.op === 'getsockopt' && lastStep.result ? sock.optionsSet?.[lastStep.result.option] : undefined;
  return (
    <article
      className={`rounded-lg border-l-4 ${color.border} border border-gray-200 bg-white p-2 text-sm shadow-sm dark:border-gray-700 dark:bg-gray-900 ${sock.closed ? 'opacity-60' : ''}`}
      aria-label={`Socket ${sock.handle}, ${sock.type.toUpperCase()}, ${state}`}
      data-sock={sock.handle}
      data-state={state}
    >
      <header className="flex flex-wrap items-baseline gap-x-2">
        <h4 className="m-0 font-mono text-base font-bold">{sock.handle}</h4>
        <span className="text-xs text-gray-600 dark:text-gray-400">
          {sock.type.toUpperCase()}
          {sock.family === 6 ? ' · IPv6' : ''}
          {sock.fd !== null ? ` · fd ${sock.fd}` : ''}
          {sock.blocking ? '' : ' · non-blocking'}
        </span>
        <span className={`ml-auto rounded px-1.5 py-0.5 font-mono text-xs font-semibold ${color.bg} ${color.text}`} data-testid="sock-state">
          {row ? <GlossaryTerm term={state} code={false} /> : state}
        </span>
      </header>
      <dl className="m-0 mt-1 grid grid-cols-[auto_1fr] gap-x-2 font-mono text-xs">
        <dt className="font-sans text-gray-600 dark:text-gray-400">local</dt>
        <dd className="m-0">{formatEndpoint(sock.local ?? row?.local)}</dd>
        <dt className="font-sans text-gray-600 dark:text-gray-400">remote</dt>
        <dd className="m-0">{sock.remote ? formatEndpoint(sock.remote) : sock.listening ? '* (listening)' : '—'}</dd>
        {row ? (
          <>
            <dt className="font-sans text-gray-600 dark:text-gray-400">{row.state === 'LISTEN' ? 'queue' : 'waiting'}</dt>
            <dd className="m-0">
              {row.state === 'LISTEN'
                ? `${count(row.rxQueue, NOUNS.connection)} to accept${sock.backlog !== undefined ? ` (backlog ${sock.backlog})` : ''}`
                : sock.type === 'udp'
                  ? // For UDP the kernel counts the memory its queued datagrams take, headers and all.
                    `${count(row.rxQueue, NOUNS.byte)} of kernel memory hold datagrams to read`
                  : `${count(row.rxQueue, NOUNS.byte)} to read · ${row.txQueue} not yet sent or acknowledged`}
            </dd>
          </>
        ) : null}
      </dl>
      {sock.waiting.length ? (
        <p className="m-0 mt-1 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/40 dark:text-amber-100" role="status">
          {/* The dot pulses, not the words: faded text fails contrast, and a server's accept() may wait for ever. */}
          <span aria-hidden="true" className="mr-1 inline-block h-2 w-2 rounded-full bg-amber-600 motion-safe:animate-pulse dark:bg-amber-300" />
          blocked in {sock.waiting.map((w) => `${w}()`).join(', ')}: waiting for the kernel
        </p>
      ) : null}
      {sock.closed || readOnly ? null : (
        <div>
          <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} className="mt-1 text-xs text-blue-700 underline dark:text-blue-300">
            {open ? 'Hide calls' : 'Show calls'}
          </button>
          {open ? <CallForm sock={sock} policy={policy} suggestedPort={suggestedPort} disabled={!connected} advice={advice} lastSeq={lastSeq} nextOp={nextOp} onCall={onCall} /> : null}
        </div>
      )}
      {/* The click's own feedback, where the learner is looking (on a phone the timeline is far
          below); the previous call's result gives way at once, so it is never read as this one's.
          Its box is the result's box (a left border only, same padding and line), so swapping one
          for the other moves nothing below the card: the click's frame repaints the card alone. */}
      {provisional ? (
        <p className="m-0 mt-2 rounded-md border-l-4 border-dashed border-gray-400 px-2 py-1 font-mono text-xs text-gray-700 dark:border-gray-500 dark:text-gray-300" data-testid="call-provisional">
          calling {describeCall(provisional)}… <span className="font-sans italic">no answer yet</span>
        </p>
      ) : lastStep ? (
        <CallResult step={lastStep} asked={asked} />
      ) : null}
    </article>
  );
});
