/**
 * The lab's poll() panel, as pure logic: which sockets it offers, the draft it keeps, the draft
 * turned into the `poll` op's arguments, and each revent of an answer in words. poll spans sockets,
 * so it lives on the lab, not on one socket's card (call-args.ts holds the card's ops).
 */
import { POLL_MAX_TIMEOUT_MS, type PollEvent, type PollRevent } from '@/server/protocol';
import type { SockView } from './state';

export interface PollPick {
  in: boolean;
  out: boolean;
}

export interface PollDraft {
  /** The events wanted per socket handle; a socket with neither is left out of the call. */
  picks: Record<string, PollPick>;
  /** 'wait': -1 (until one is ready); 'look': 0 (just look); 'ms': `ms` milliseconds. */
  timeout: 'wait' | 'look' | 'ms';
  ms: string;
}

export const EMPTY_POLL_DRAFT: PollDraft = { picks: {}, timeout: 'wait', ms: '5000' };

/** The sockets poll can name: the session's open ones. */
export function pollableSockets(sockets: readonly SockView[]): SockView[] {
  return sockets.filter((s) => !s.closed);
}

/**
 * What a socket is watched for until the learner says otherwise: "in" for all of them, as a server
 * loop does (a listener's "in" is a connection to accept, a connection's is data to read).
 */
export function pickOf(draft: PollDraft, handle: string): PollPick {
  return draft.picks[handle] ?? { in: true, out: false };
}

export type PollArgsResult =
  | { ok: true; args: { socks: { sock: string; events: PollEvent[] }[]; timeout: number } }
  | { ok: false; field: 'socks' | 'ms'; message: string };

/** The draft as poll's arguments, for the open sockets given; or which field is wrong, and why. */
export function pollArgs(draft: PollDraft, open: readonly SockView[]): PollArgsResult {
  const socks = open
    .map((s) => {
      const pick = pickOf(draft, s.handle);
      const events: PollEvent[] = [...(pick.in ? (['in'] as const) : []), ...(pick.out ? (['out'] as const) : [])];
      return { sock: s.handle, events };
    })
    .filter((s) => s.events.length > 0);
  if (!socks.length) return { ok: false, field: 'socks', message: 'Tick "in" or "out" on at least one socket.' };
  if (draft.timeout === 'wait') return { ok: true, args: { socks, timeout: -1 } };
  if (draft.timeout === 'look') return { ok: true, args: { socks, timeout: 0 } };
  const text = draft.ms.trim();
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms > POLL_MAX_TIMEOUT_MS) {
    return { ok: false, field: 'ms', message: `A whole number of milliseconds from 0 to ${POLL_MAX_TIMEOUT_MS} (or choose "wait until ready").` };
  }
  return { ok: true, args: { socks, timeout: ms } };
}

/** One revent of one socket, in words: what it means for the next call on that socket. */
export function reventMeaning(revent: PollRevent, sock: Pick<SockView, 'listening' | 'type'> | undefined): string {
  switch (revent) {
    case 'in':
      if (sock?.listening) return 'a finished connection waits: accept() will not block';
      if (sock?.type === 'udp') return 'a datagram waits: recvfrom() will not block';
      return 'bytes (or the end of the stream) wait: recv() will not block';
    case 'out':
      return 'there is room in the send buffer: send() will not block';
    case 'hup':
      return 'hang-up: the connection is over in both directions (or never began); recv() returns 0';
    case 'err':
      return 'an error is pending on the socket: the next call reports it (getsockopt SO_ERROR reads it)';
    case 'nval':
      return 'not an open file descriptor';
  }
}

/** The call that fits a socket poll reported ready, or null when there is nothing to do on it. */
export function callForReady(revents: readonly PollRevent[], sock: Pick<SockView, 'listening' | 'type'> | undefined): 'accept' | 'recv' | 'recvfrom' | 'send' | null {
  if (revents.includes('in') || revents.includes('hup') || revents.includes('err')) {
    if (sock?.listening) return 'accept';
    return sock?.type === 'udp' ? 'recvfrom' : 'recv';
  }
  return revents.includes('out') ? 'send' : null;
}
