/**
 * Which call makes sense next on a socket, and which calls would most likely fail now, from the
 * socket as the lab knows it (its results so far) and the kernel's own row for it. The lab still
 * lets a learner make any call: this only chooses the preselected one and marks the doubtful ones.
 * tests/integration/lab-advice.test.ts makes every marked call on the real engine and checks that it
 * does fail, and that the preselected one does not.
 */
import type { KernelRow, Op } from '@/server/protocol';
import type { SockView } from './state';

export interface CallAdvice {
  /** The call to preselect, or null for a closed socket. */
  suggested: Op | null;
  /** Calls that would most likely fail now, each with the errno to expect and why. */
  likelyFail: Partial<Record<Op, { code: string; why: string }>>;
}

/** What the lab and the kernel say about a socket right now. */
export interface SockFacts {
  sock: SockView;
  /** The kernel's row for it (relation "own"), if it has one. */
  row?: KernelRow;
  /** The server's engine; the fallback one cannot set or read socket options. */
  engine?: 'native' | 'node';
}

export function factsOf(sock: SockView, kernel: readonly KernelRow[], engine?: 'native' | 'node'): SockFacts {
  return { sock, row: kernel.find((r) => r.sock === sock.handle && r.relation === 'own'), engine };
}

/** Names that suggest the client side of a conversation: the first call there is usually connect. */
const CLIENTISH = /client|sender|browser|peer/i;

function suggestTcp({ sock, row }: SockFacts): Op {
  if (sock.listening) return 'accept';
  if (sock.remote) {
    if (row?.state === 'CLOSE_WAIT') return 'close';
    if (row && row.rxQueue > 0) return 'recv';
    if (sock.shut.write) return 'recv';
    // An accepted socket usually hears from its client first; a client usually speaks first.
    return sock.acceptedFrom ? 'recv' : 'send';
  }
  if (sock.local) return CLIENTISH.test(sock.actor) ? 'connect' : 'listen';
  return CLIENTISH.test(sock.actor) ? 'connect' : 'bind';
}

function suggestUdp({ sock, row }: SockFacts): Op {
  if (row && row.rxQueue > 0) return 'recvfrom';
  if (!sock.local) return CLIENTISH.test(sock.actor) ? 'sendto' : 'bind';
  if (sock.remote) return 'send';
  return CLIENTISH.test(sock.actor) ? 'sendto' : 'recvfrom';
}

function tcpFailures({ sock }: SockFacts): CallAdvice['likelyFail'] {
  const fail: CallAdvice['likelyFail'] = {};
  const connected = Boolean(sock.remote);
  if (sock.local || connected) fail.bind = { code: 'EINVAL', why: sock.local ? 'it already has an address' : 'it is already connected' };
  if (connected) fail.listen = { code: 'EINVAL', why: 'a connected socket cannot listen' };
  if (!sock.listening) fail.accept = { code: 'EINVAL', why: 'it is not listening: listen() first' };
  // (A second connect() on a connected socket is not marked: the lab's engine answers it as done.)
  if (sock.listening) fail.connect = { code: 'EISCONN', why: 'a listening socket cannot connect' };
  if (!connected) {
    fail.send = { code: 'EPIPE', why: 'it is not connected' };
    fail.recv = { code: 'ENOTCONN', why: 'it is not connected' };
    fail.getpeername = { code: 'ENOTCONN', why: sock.listening ? 'a listening socket has no peer: each accepted socket has one' : 'it has no peer: connect() first' };
    if (!sock.listening) fail.shutdown = { code: 'ENOTCONN', why: 'it is not connected' };
  } else if (sock.shut.write) {
    fail.send = { code: 'EPIPE', why: 'you shut down its writing side' };
  }
  return fail;
}

function udpFailures({ sock }: SockFacts): CallAdvice['likelyFail'] {
  const fail: CallAdvice['likelyFail'] = {
    listen: { code: 'EOPNOTSUPP', why: 'UDP has no connections to listen for' },
    accept: { code: 'EOPNOTSUPP', why: 'UDP has no connections to accept' },
  };
  if (sock.local) fail.bind = { code: 'EINVAL', why: 'it already has an address' };
  if (!sock.remote) {
    fail.send = { code: 'EDESTADDRREQ', why: 'send() needs a connected socket: use sendto() with an address' };
    fail.getpeername = { code: 'ENOTCONN', why: 'an unconnected UDP socket has no peer: each datagram says where it came from' };
    fail.shutdown = { code: 'ENOTCONN', why: 'it is not connected' };
  }
  return fail;
}

/** The fallback engine answers the option calls E_UNSUPPORTED (docs/protocol.md): say so before the click. */
function engineFailures({ engine }: SockFacts): CallAdvice['likelyFail'] {
  if (engine !== 'node') return {};
  const why = "this server's fallback engine (Node's net/dgram) cannot set or read socket options; the native engine can";
  return { setsockopt: { code: 'E_UNSUPPORTED', why }, getsockopt: { code: 'E_UNSUPPORTED', why } };
}

export function adviseCalls(facts: SockFacts): CallAdvice {
  if (facts.sock.closed) return { suggested: null, likelyFail: {} };
  return facts.sock.type === 'udp'
    ? { suggested: suggestUdp(facts), likelyFail: { ...udpFailures(facts), ...engineFailures(facts) } }
    : { suggested: suggestTcp(facts), likelyFail: { ...tcpFailures(facts), ...engineFailures(facts) } };
}
