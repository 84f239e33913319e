/**
 * The call form's fields turned into one op's arguments. Each op reads only the fields it shows; a
 * field whose text cannot become an argument gives the field's name and why, and the form says so
 * beside it instead of sending. The form keeps one draft for all ops, so switching calls and back
 * keeps what was typed.
 *
 * The ops here act on the card's one socket. An op over several sockets (poll) is not a card's: the
 * lab's poll() panel builds its arguments (poll-form.ts).
 */
import type { Op, SocketOption } from '@/server/protocol';
import { parseOptionValue, type OptionDraft } from './socket-options';

/** One call a control asks the lab to make: the op and its arguments, before the protocol checks them. */
export interface CallRequest {
  op: Op;
  args: Record<string, unknown>;
}

export interface CallDraft {
  address: string;
  /** The port as typed; '' takes `defaultPort`. */
  port: string;
  defaultPort: number;
  backlog: string;
  /** send's payload, with \n, \r, \t and \\ as escapes. */
  data: string;
  max: string;
  how: 'read' | 'write' | 'both';
  blocking: boolean;
  option: SocketOption;
  optionDraft: OptionDraft;
}

/** The ops a socket's card makes on its socket (named, so an op added to the protocol is added here on purpose). */
export type FormOp = Extract<
  Op,
  'bind' | 'listen' | 'accept' | 'connect' | 'send' | 'recv' | 'sendto' | 'recvfrom' | 'shutdown' | 'close' | 'setblocking' | 'getsockname' | 'getpeername' | 'setsockopt' | 'getsockopt'
>;

export type BuiltArgs = { ok: true; args: Record<string, unknown> } | { ok: false; field: 'value'; message: string };

export function unescapePayload(text: string): string {
  return text.replace(/\\(r|n|t|\\)/g, (_, c: string) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\' })[c] ?? c);
}

export function callArgs(op: FormOp, sock: string, d: CallDraft): BuiltArgs {
  const base = { sock };
  const port = d.port === '' ? d.defaultPort : Number(d.port);
  switch (op) {
    case 'bind':
    case 'connect':
      return { ok: true, args: { ...base, address: d.address, port } };
    case 'listen':
      return { ok: true, args: { ...base, backlog: Number(d.backlog) } };
    case 'send':
      return { ok: true, args: { ...base, data: unescapePayload(d.data) } };
    case 'sendto':
      return { ok: true, args: { ...base, data: unescapePayload(d.data), address: d.address, port } };
    case 'recv':
    case 'recvfrom':
      return { ok: true, args: { ...base, max: Number(d.max) } };
    case 'shutdown':
      return { ok: true, args: { ...base, how: d.how } };
    case 'setblocking':
      return { ok: true, args: { ...base, blocking: d.blocking } };
    case 'setsockopt': {
      const value = parseOptionValue(d.option, d.optionDraft);
      return value.ok ? { ok: true, args: { ...base, option: d.option, value: value.value } } : { ok: false, field: 'value', message: value.message };
    }
    case 'getsockopt':
      return { ok: true, args: { ...base, option: d.option } };
    case 'accept':
    case 'close':
    case 'getsockname':
    case 'getpeername':
      return { ok: true, args: base };
  }
}
