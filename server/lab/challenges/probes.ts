/**
 * The real calls a challenge check makes: connect with a deadline, read one line with a deadline,
 * and a set of probe sockets that are all closed when the check ends, whatever happened. A probe
 * socket is never one of the learner's: it is not in the session's table and leaves no trace there
 * but the connections the kernel shows.
 */
import type { EngineSocket, WaitOptions } from '../../engines/types.ts';
import type { Endpoint } from '../../protocol/index.ts';
import { LabFailure } from '../../protocol/errors.ts';

/** How long a probe waits for the kernel: long enough for loopback and the sandbox, short enough to click again. */
export const PROBE_TIMEOUT_MS = 3000;

/** Probe sockets of one check; close() ends them all. */
export class Probes {
  readonly #open = new Set<EngineSocket>();

  async add(make: () => EngineSocket | Promise<EngineSocket>): Promise<EngineSocket> {
    const sock = await make();
    this.#open.add(sock);
    return sock;
  }

  close(): void {
    for (const sock of this.#open) sock.close();
    this.#open.clear();
  }
}

/** A blocking wait that gives up (E_CANCELLED) after `ms`. */
function deadline(ms: number): { wait: WaitOptions; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { wait: { blocking: true, signal: controller.signal, onBlocked: () => {} }, done: () => clearTimeout(timer) };
}

function codeOf(e: unknown): string {
  return e instanceof LabFailure ? e.code : 'E_INTERNAL';
}

export type ConnectOutcome = { connected: true; local: Endpoint } | { connected: false; errno: string; timedOut: boolean };

/** connect() that waits at most `ms`: the kernel's answer, or "no answer" (a dropped SYN). */
export async function connectWithin(sock: EngineSocket, address: string, port: number, ms = PROBE_TIMEOUT_MS): Promise<ConnectOutcome> {
  const { wait, done } = deadline(ms);
  try {
    const { local } = await sock.connect(address, port, wait);
    return { connected: true, local };
  } catch (e) {
    const errno = codeOf(e);
    return { connected: false, errno: errno === 'E_CANCELLED' ? 'ETIMEDOUT' : errno, timedOut: errno === 'E_CANCELLED' };
  } finally {
    done();
  }
}

/** accept() that waits at most `ms`; null when nothing arrived. */
export async function acceptWithin(sock: EngineSocket, ms = PROBE_TIMEOUT_MS): Promise<{ socket: EngineSocket; peer: Endpoint } | null> {
  const { wait, done } = deadline(ms);
  try {
    const got = await sock.accept(wait);
    return { socket: got.socket, peer: got.peer };
  } catch {
    return null;
  } finally {
    done();
  }
}

export type LineOutcome = { line: string } | { eof: true; got: string } | { timedOut: true; got: string } | { errno: string; got: string };

/** Reads up to the first newline (at most `max` bytes), within `ms` in all. */
export async function readLineWithin(sock: EngineSocket, ms = PROBE_TIMEOUT_MS, max = 4096): Promise<LineOutcome> {
  const { wait, done } = deadline(ms);
  let got = Buffer.alloc(0);
  try {
    while (got.length < max) {
      const chunk = await sock.recv(max - got.length, wait);
      if (chunk.length === 0) return { eof: true, got: got.toString('utf8') };
      got = Buffer.concat([got, chunk]);
      const newline = got.indexOf(0x0a);
      if (newline >= 0) return { line: got.subarray(0, newline).toString('utf8').replace(/\r$/, '') };
    }
    return { line: got.toString('utf8') };
  } catch (e) {
    const errno = codeOf(e);
    return errno === 'E_CANCELLED' ? { timedOut: true, got: got.toString('utf8') } : { errno, got: got.toString('utf8') };
  } finally {
    done();
  }
}

/** What a failed connect means, in a learner's words. */
export function connectFailure(outcome: { errno: string; timedOut: boolean }): string {
  if (outcome.timedOut) return `no answer within ${PROBE_TIMEOUT_MS / 1000} s: the SYN was dropped somewhere on the way`;
  switch (outcome.errno) {
    case 'ECONNREFUSED':
      return 'ECONNREFUSED: a TCP reset came back (nothing listens there, or a rule rejects with a reset)';
    case 'EHOSTUNREACH':
      return 'EHOSTUNREACH: an ICMP "host unreachable" came back (a rule rejects it, or there is no route)';
    case 'ENETUNREACH':
      return 'ENETUNREACH: no route to that network from this host';
    default:
      return outcome.errno;
  }
}

/** Tries `read` until it gives a value or `ms` pass (the kernel's tables settle a moment after a handshake). */
export async function settle<T>(read: () => Promise<T | null>, ms = 1000): Promise<T | null> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== null || Date.now() >= until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
