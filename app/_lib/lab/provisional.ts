/**
 * Calls the learner has made that the server has not answered yet: the timeline draws each as a
 * provisional row ("calling bind(s1, 127.0.0.1:41000)…") in the frame of the click, and the row
 * gives way to the server's real step as soon as one with the call's id arrives. A provisional call
 * is never a step: it has no seq, no status and no result, so nothing that numbers, selects,
 * rewinds or saves steps ever sees one.
 *
 * It ends when its step arrives (ok, error, or blocked: a blocked step is the kernel's answer so
 * far), or when its reply arrives without a step (the server sends a step before its reply; calls
 * refused before any syscall by the rate limit or the frame checks have no step at all), or when the
 * connection ends.
 */
import type { CommandId, Op } from '@/server/protocol';
import type { SockView } from './state';

export interface ProvisionalCall {
  id: CommandId;
  op: Op;
  args: Record<string, unknown>;
}

export type ProvisionalAction =
  | { type: 'call'; call: ProvisionalCall }
  /** A step or a reply for this id arrived: the server has answered. */
  | { type: 'answered'; id: CommandId }
  /** The connection ended or a new session started. */
  | { type: 'clear' };

export const NO_PROVISIONAL: readonly ProvisionalCall[] = [];

/** Oldest first, in the order the learner made the calls. Unchanged lists keep their identity. */
export function provisionalReducer(calls: readonly ProvisionalCall[], action: ProvisionalAction): readonly ProvisionalCall[] {
  switch (action.type) {
    case 'call':
      // An id is the client's own and unique per connection; a repeat would be a bug, not a new call.
      return calls.some((c) => c.id === action.call.id) ? calls : [...calls, action.call];
    case 'answered':
      return calls.some((c) => c.id === action.id) ? calls.filter((c) => c.id !== action.id) : calls;
    case 'clear':
      return calls.length ? NO_PROVISIONAL : calls;
  }
}

/** Which calls get a provisional row: everything that becomes a step (`kernel`, `capture` and `pcap` are queries, not calls). */
export function showsProvisional(op: Op): boolean {
  return !isQuery(op);
}

/** Ops about the lab itself, not socket calls: the timeline never shows them (capture and pcap: issue 17). */
export function isQuery(op: Op): boolean {
  return op === 'kernel' || op === 'capture' || op === 'pcap';
}

/**
 * The program (lane) the call will belong to, by the server's own rule: a new socket's actor is the
 * one it names (else "program"), any other call belongs to its socket's program.
 */
export function provisionalActor(call: ProvisionalCall, sockets: readonly SockView[]): string {
  if (call.op === 'socket') return typeof call.args.actor === 'string' ? call.args.actor : 'program';
  const sock = typeof call.args.sock === 'string' ? sockets.find((s) => s.handle === call.args.sock) : undefined;
  return sock?.actor ?? 'program';
}

/** Each socket's newest call still waiting for its answer, for the socket's card. */
export function provisionalBySock(calls: readonly ProvisionalCall[]): ReadonlyMap<string, ProvisionalCall> {
  const bySock = new Map<string, ProvisionalCall>();
  for (const c of calls) if (typeof c.args.sock === 'string') bySock.set(c.args.sock, c);
  return bySock;
}
