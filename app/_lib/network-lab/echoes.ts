/**
 * Echoes of running pings, as the `echo` events bring them: a ping is one step that stays blocked
 * while it runs, and its echoes arrive one a second before the step finishes with all of them.
 */
import type { EchoEvent, ProtocolEcho } from '@/server/protocol';

/** Step seq → the echoes seen so far, in order. */
export type EchoesBySeq = ReadonlyMap<number, readonly ProtocolEcho[]>;

export const NO_ECHOES: EchoesBySeq = new Map();

export function addEcho(echoes: EchoesBySeq, e: EchoEvent): EchoesBySeq {
  const seen = echoes.get(e.seq) ?? [];
  // The same echo twice (a reconnecting viewer) is kept once.
  if (seen.some((x) => x.seq === e.echo.seq)) return echoes;
  const next = new Map(echoes);
  next.set(e.seq, [...seen, e.echo]);
  return next;
}

/** One line for an echo, as ping(8) would print it. */
export function describeEcho(echo: ProtocolEcho, address: string): string {
  if (echo.status === 'reply') return `${echo.bytes ?? 0} bytes from ${echo.from ?? address}: icmp_seq=${echo.seq} time=${echo.timeMs === null ? '?' : echo.timeMs.toFixed(1)} ms`;
  if (echo.status === 'timeout') return `icmp_seq=${echo.seq}: no reply within 1 s (timeout)`;
  return `icmp_seq=${echo.seq}: sendto() failed with ${echo.errno ?? 'an error'}`;
}
