'use client';
import { memo, useId, useRef, useState } from 'react';
import type { Op, Policy, SocketOption } from '@/server/protocol';
import type { SockView } from '@/app/_lib/lab/state';
import type { CallAdvice } from '@/app/_lib/lab/next-call';
import { callArgs, type CallDraft, type FormOp } from '@/app/_lib/lab/call-args';
import { initialDraft, parseOptionValue, type OptionDraft } from '@/app/_lib/lab/socket-options';
import { QueryButtons } from './QueryButtons';
import { SocketOptionFields } from './SocketOptionFields';

/** Every call is offered on every socket: calling them in the "wrong" order is part of the lesson. */
const TCP_OPS: FormOp[] = ['bind', 'listen', 'accept', 'connect', 'send', 'recv', 'shutdown', 'setblocking', 'setsockopt', 'getsockopt', 'close'];
const UDP_OPS: FormOp[] = ['bind', 'sendto', 'recvfrom', 'connect', 'send', 'recv', 'listen', 'setblocking', 'setsockopt', 'getsockopt', 'close'];
/** Questions to the kernel that change nothing: one click each, beside the calls. */
const QUERIES: FormOp[] = ['getsockname', 'getpeername'];

import type { CallRequest } from '@/app/_lib/lab/call-args';

export type { CallRequest };

interface Props {
  sock: SockView;
  policy: Policy | null;
  /** A port some lab socket listens or is bound on, to prefill connect/sendto. */
  suggestedPort: number | null;
  disabled: boolean;
  /** The call to preselect and the calls that would likely fail now. */
  advice: CallAdvice;
  /** The newest finished call on this socket: after each one, the form selects `nextOp`. */
  lastSeq: number | null;
  /** The call to select after the newest one; null keeps the learner's choice (after a question like getsockname). */
  nextOp: Op | null;
  onCall: (req: CallRequest) => void;
}

function isFormOp(ops: readonly FormOp[], op: Op | null): op is FormOp {
  return ops.some((o) => o === op);
}

/**
 * Memoised: re-rendering it sets its radio inputs' name and type again, which makes the browser
 * restyle them, and the kernel view refreshes after every step.
 */
export const CallForm = memo(function CallForm({ sock, policy, suggestedPort, disabled, advice, lastSeq, nextOp, onCall }: Props) {
  const ops = sock.type === 'udp' ? UDP_OPS : TCP_OPS;
  const [op, setOp] = useState<FormOp>(() => (isFormOp(ops, advice.suggested) ? advice.suggested : ops[0]));
  // A new call on this socket: select what makes sense next (set while rendering, React's way of
  // adjusting state to a prop, so the form never shows the stale choice for a frame).
  const [selectedAfter, setSelectedAfter] = useState(lastSeq);
  if (selectedAfter !== lastSeq) {
    setSelectedAfter(lastSeq);
    if (isFormOp(ops, nextOp)) setOp(nextOp);
  }
  const doubt = advice.likelyFail[op];
  const [address, setAddress] = useState(sock.family === 6 ? '::1' : '127.0.0.1');
  const [port, setPort] = useState<string>('');
  const [backlog, setBacklog] = useState('5');
  const [data, setData] = useState('hello\\n');
  const [max, setMax] = useState('4096');
  const [how, setHow] = useState<'read' | 'write' | 'both'>('write');
  const [blocking, setBlocking] = useState(!sock.blocking);
  const [option, setOption] = useState<SocketOption>('SO_REUSEADDR');
  // Each option keeps what was typed for it, so trying another and coming back loses nothing.
  const [optionDrafts, setOptionDrafts] = useState<Partial<Record<SocketOption, OptionDraft>>>({});
  const optionDraft = optionDrafts[option] ?? initialDraft(option);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();
  const field = 'w-full rounded border border-gray-300 bg-white px-2 py-1 font-mono text-sm dark:border-gray-600 dark:bg-gray-900';
  const label = 'block text-xs font-medium text-gray-700 dark:text-gray-300';
  const portValue = port === '' ? (op === 'bind' ? 0 : suggestedPort ?? policy?.ports[0] ?? 41000) : Number(port);
  const parsedValue = op === 'setsockopt' ? parseOptionValue(option, optionDraft) : null;
  const valueError = parsedValue && !parsedValue.ok ? parsedValue.message : null;
  const unsupported = (op === 'setsockopt' || op === 'getsockopt') && doubt?.code === 'E_UNSUPPORTED' ? doubt.why : null;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const draft: CallDraft = { address, port, defaultPort: portValue, backlog, data, max, how, blocking, option, optionDraft };
    const built = callArgs(op, sock.handle, draft);
    if (!built.ok) {
      // The reason is already shown beside the field; take the learner there.
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    onCall({ op, args: built.args });
  }

  const addresses = policy?.addresses ?? ['127.0.0.1', '::1'];
  return (
    <form ref={formRef} onSubmit={submit} className="mt-2 space-y-2" aria-label={`Call on ${sock.handle}`}>
      <QueryButtons sock={sock.handle} ops={QUERIES} advice={advice} disabled={disabled} onCall={onCall} />
      <fieldset>
        <legend className="sr-only">System call on {sock.handle}</legend>
        <div className="flex flex-wrap gap-1" role="radiogroup" aria-label={`System call on ${sock.handle}`}>
          {ops.map((o) => {
            const fails = advice.likelyFail[o];
            const look =
              op === o
                ? 'border-blue-600 bg-blue-600 text-white dark:border-blue-400 dark:bg-blue-500 dark:text-gray-950'
                : fails
                  ? 'border-dashed border-gray-400 text-gray-600 hover:bg-gray-100 dark:border-gray-500 dark:text-gray-400 dark:hover:bg-gray-800'
                  : 'border-gray-300 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800';
            return (
              <label key={o} className={`cursor-pointer rounded border px-1.5 py-0.5 font-mono text-xs ${look} has-[:focus-visible]:outline has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-blue-500`} data-op={o} data-likely-fails={fails ? fails.code : undefined} data-suggested={advice.suggested === o ? '' : undefined} title={fails ? `Likely fails now with ${fails.code}: ${fails.why}` : undefined}>
                <input type="radio" name={`${id}-op`} value={o} checked={op === o} onChange={() => setOp(o)} className="sr-only" />
                <span>{o}</span>
                {fails ? (
                  <>
                    <span aria-hidden="true"> ⚠</span>
                    <span className="sr-only"> (likely fails now: {fails.code})</span>
                  </>
                ) : advice.suggested === o ? (
                  <span className="sr-only"> (suggested next)</span>
                ) : null}
              </label>
            );
          })}
        </div>
      </fieldset>
      {doubt && !unsupported ? (
        <p className="m-0 text-xs text-amber-900 dark:text-amber-200" data-testid="call-doubt">
          {op}() will most likely fail with {doubt.code}: {doubt.why}. Make the call to see the kernel&apos;s real answer.
        </p>
      ) : null}
      <div className="grid grid-cols-2 gap-2">
        {op === 'bind' || op === 'connect' || op === 'sendto' ? (
          <>
            <div>
              <label htmlFor={`${id}-addr`} className={label}>
                address
              </label>
              <input id={`${id}-addr`} className={field} value={address} onChange={(e) => setAddress(e.target.value)} list={`${id}-addrs`} autoComplete="off" spellCheck={false} />
              <datalist id={`${id}-addrs`}>
                {addresses.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </div>
            <div>
              <label htmlFor={`${id}-port`} className={label}>
                port{op === 'bind' ? ' (0: lab picks)' : ''}
              </label>
              <input id={`${id}-port`} className={field} inputMode="numeric" value={port} placeholder={String(portValue)} onChange={(e) => setPort(e.target.value.replace(/[^0-9]/g, ''))} />
            </div>
          </>
        ) : null}
        {op === 'listen' ? (
          <div>
            <label htmlFor={`${id}-backlog`} className={label}>
              backlog
            </label>
            <input id={`${id}-backlog`} className={field} inputMode="numeric" value={backlog} onChange={(e) => setBacklog(e.target.value.replace(/[^0-9]/g, ''))} />
          </div>
        ) : null}
        {op === 'send' || op === 'sendto' ? (
          <div className="col-span-2">
            <label htmlFor={`${id}-data`} className={label}>
              data (\n, \r, \t are escapes)
            </label>
            <input id={`${id}-data`} className={field} value={data} onChange={(e) => setData(e.target.value)} spellCheck={false} />
          </div>
        ) : null}
        {op === 'recv' || op === 'recvfrom' ? (
          <div>
            <label htmlFor={`${id}-max`} className={label}>
              max bytes
            </label>
            <input id={`${id}-max`} className={field} inputMode="numeric" value={max} onChange={(e) => setMax(e.target.value.replace(/[^0-9]/g, ''))} />
          </div>
        ) : null}
        {op === 'shutdown' ? (
          <div>
            <label htmlFor={`${id}-how`} className={label}>
              how
            </label>
            <select id={`${id}-how`} className={field} value={how} onChange={(e) => setHow(e.target.value as typeof how)}>
              <option value="write">write (send FIN)</option>
              <option value="read">read</option>
              <option value="both">both</option>
            </select>
          </div>
        ) : null}
        {op === 'setblocking' ? (
          <label className="col-span-2 flex items-center gap-2 text-sm">
            <input type="checkbox" checked={blocking} onChange={(e) => setBlocking(e.target.checked)} />
            blocking (currently {sock.blocking ? 'blocking' : 'non-blocking'})
          </label>
        ) : null}
        {op === 'setsockopt' || op === 'getsockopt' ? (
          <SocketOptionFields
            op={op}
            sock={{ handle: sock.handle, type: sock.type, family: sock.family, bound: Boolean(sock.local) }}
            option={option}
            onOption={setOption}
            draft={optionDraft}
            onDraft={(d) => setOptionDrafts((all) => ({ ...all, [option]: d }))}
            valueError={valueError}
            unsupported={unsupported}
            id={id}
            field={field}
            label={label}
          />
        ) : null}
      </div>
      <button type="submit" disabled={disabled} className="rounded-md bg-blue-700 px-3 py-1 font-mono text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50">
        {op}()
      </button>
    </form>
  );
});
