/**
 * The coach line of free play: after every call, one sentence on what just happened in the kernel
 * and the calls that make sense next. It is derived from the real step (its result or errno) and
 * the kernel's view, never scripted: the same call can get a different line when the kernel says
 * something else.
 */
import type { Endpoint, KernelRow, Op, PollRevent } from '@/server/protocol';
import { ERRNO_MEANINGS } from '@/server/protocol/meanings';
import { count, NOUNS } from '../plural';
import { adviseCalls, factsOf } from './next-call';
import { callForReady, reventMeaning } from './poll-form';
import { outcomeOf, type Outcome } from './outcome';
import { formatOptionValue, readingMeaning } from './socket-options';
import { formatEndpoint, type SockView, type StepView } from './state';

export interface NextCall {
  sock: string;
  op: Op;
}

export interface Coach {
  tone: Outcome;
  /** What happened, in a sentence or two. */
  text: string;
  /** Calls that make sense next, most likely first. */
  next: NextCall[];
}

const bytes = (n: number) => count(n, NOUNS.byte);

/** The address a call named (bind, connect, sendto), as the learner would write it; '' for other calls. */
function targetOf(step: StepView): string {
  return 'address' in step.args && 'port' in step.args ? formatEndpoint({ address: step.args.address, port: step.args.port }) : '';
}

function ownRow(kernel: readonly KernelRow[], handle: string | undefined): KernelRow | undefined {
  return kernel.find((r) => r.sock === handle && r.relation === 'own');
}

/** The lab socket at the other end of a TCP connection, if it is one of ours. */
function peerOf(sock: SockView | undefined, sockets: readonly SockView[]): SockView | undefined {
  if (!sock?.remote || !sock.local) return undefined;
  return sockets.find(
    (s) => s !== sock && !s.closed && s.remote && s.local && s.local.port === sock.remote!.port && s.remote.port === sock.local!.port,
  );
}

/** A listening lab socket that a connect to this endpoint reaches. */
function listenerAt(to: Endpoint | undefined, sockets: readonly SockView[]): SockView | undefined {
  if (!to) return undefined;
  return sockets.find((s) => s.listening && !s.closed && s.local?.port === to.port);
}

function sentence(step: StepView, sock: SockView | undefined, sockets: readonly SockView[], kernel: readonly KernelRow[], outcome: Outcome): string {
  const h = step.sock ?? '';
  const row = ownRow(kernel, h);
  const target = targetOf(step);
  if (outcome === 'blocked') {
    switch (step.op) {
      case 'accept':
        return `accept() is waiting: ${h}'s accept queue is empty. It returns as soon as a client connects.`;
      case 'recv':
      case 'recvfrom':
        return `${step.op}() is waiting: nothing has arrived for ${h} yet. It returns when the peer sends${step.op === 'recv' ? ' or closes' : ''}.`;
      case 'connect':
        return `connect() is waiting for the answer to its SYN from ${target}.`;
      case 'poll':
        return `poll() is waiting: none of ${polledHandles(step).join(', ')} is ready. It returns when one is (a client connects, bytes or a FIN arrive)${step.args.timeout === -1 ? '' : ', or when its timeout passes'}; the thread sleeps meanwhile.`;
      default:
        return `${step.op}() is waiting: the kernel's buffers are full until the peer reads.`;
    }
  }
  if (outcome === 'expected') {
    if (step.op === 'connect') return `The handshake with ${target} has started and goes on in the kernel${row ? `: ${h} is ${row.state} now` : ''}. Not a failure: a non-blocking connect() returns at once.`;
    if (step.op === 'accept') return `No connection is waiting yet, and ${h} is non-blocking, so accept() returned at once instead of waiting.`;
    if (step.op === 'send' || step.op === 'sendto') return `The kernel's send buffer is full, and ${h} is non-blocking, so ${step.op}() returned at once. Let the peer read, then send again.`;
    return `Nothing to read yet, and ${h} is non-blocking, so ${step.op}() returned at once instead of waiting.`;
  }
  if (outcome === 'error') {
    const code = step.error?.code ?? '';
    const meaning = ERRNO_MEANINGS[code]?.meaning ?? step.error?.message ?? 'The call failed.';
    if (code === 'EADDRINUSE') return `${target} is taken: another socket is already bound to it. Nothing changed on ${h}: bind it again with another port, or port 0 to let the lab pick a free one.`;
    if (code === 'E_UNSUPPORTED' && step.op === 'poll') return `This lab server runs the fallback engine, which cannot make a real poll(2): Node's sockets do not expose the kernel's readiness. The native engine can.`;
    if (code === 'ECONNREFUSED' && step.op === 'connect') return `Nothing listens on ${target}: the kernel there answered the SYN with a reset.`;
    return `${step.op}() failed with ${code}. ${meaning}`;
  }
  // A finished call always carries its result; without one there is nothing particular to say.
  if (!step.result) return `${step.op}() returned.`;
  switch (step.op) {
    case 'socket': {
      const { sock: made, fd } = step.result;
      return `The kernel made ${made}, a ${step.args.type === 'udp' ? 'UDP' : 'TCP'} socket${fd !== null ? ` (fd ${fd})` : ''}, with no address yet.`;
    }
    case 'bind':
      return sock?.type === 'udp'
        ? `${h} now owns ${formatEndpoint(step.result)}${row ? `, and the kernel lists it as ${row.state}` : ''}: datagrams sent there queue for it.`
        : `${h} now owns ${formatEndpoint(step.result)}. The kernel's table shows no row for it until it listens or connects.`;
    case 'listen':
      return `The kernel lists ${h} as ${row?.state ?? 'LISTEN'}: it now completes handshakes by itself and queues up to ${step.result.backlog} ${NOUNS.connection.other} for accept().`;
    case 'accept': {
      const waiting = row?.rxQueue ?? 0;
      return `accept() took a finished connection from ${h}'s queue and returned a new socket, ${step.result.sock}, connected to ${formatEndpoint(step.result.peer)}.${waiting ? ` ${count(waiting, NOUNS.connection)} still wait${waiting === 1 ? 's' : ''}.` : ''}`;
    }
    case 'connect': {
      if (sock?.type === 'udp') return `${h} is now connected to ${target}: send() and recv() talk to that address only. No packet was sent.`;
      const listener = listenerAt(sock?.remote, sockets);
      const accepted = peerOf(sock, sockets);
      const queued = listener && !accepted ? ` It waits in ${listener.handle}'s accept queue until accept().` : '';
      return `The handshake is done: ${h} is ${row?.state ?? 'ESTABLISHED'} from ${formatEndpoint(step.result.local)} to ${target}.${queued}`;
    }
    case 'send': {
      const unacked = row?.txQueue ? ` ${bytes(row.txQueue)} not yet acknowledged.` : '';
      const peer = peerOf(sock, sockets);
      return `${bytes(step.result.bytes)} went into the kernel's send buffer${peer ? `; ${peer.handle}'s kernel holds them until its program calls recv()` : ''}.${unacked}`;
    }
    case 'sendto':
      return `One datagram of ${bytes(step.result.bytes)} went to ${target}. UDP does not say whether anyone got it.`;
    case 'recv': {
      if ('eof' in step.result) return `0 bytes means EOF: the peer closed its side, so ${h} is ${row?.state ?? 'CLOSE_WAIT'}. Nothing more will arrive.`;
      const left = row?.rxQueue ?? 0;
      return `recv() copied ${bytes(step.result.bytes)} out of the kernel's receive queue. ${left ? `${bytes(left)} more wait.` : 'The queue is empty now.'}`;
    }
    case 'recvfrom':
      return `One whole datagram of ${bytes(step.result.bytes)} from ${formatEndpoint(step.result.from)}: UDP keeps message boundaries.`;
    case 'shutdown':
      return step.args.how === 'read'
        ? `${h} reads no more: recv() now returns 0 at once. Nothing is sent to the peer.`
        : `${h} sent its FIN: the peer's recv() will return 0 (EOF).${step.args.how === 'write' ? ` ${h} can still receive.` : ''}`;
    case 'close': {
      const kept = kernel.find((k) => k.relation === 'closed' && k.of === h);
      return `${h} is closed and its fd is free.${kept ? ` The kernel still keeps the connection, as ${kept.state}.` : ''}`;
    }
    case 'setblocking':
      return step.args.blocking
        ? `${h} is blocking again: a call that must wait now waits for the kernel.`
        : `${h} is non-blocking: a call that would wait now answers at once, with EAGAIN or EINPROGRESS.`;
    case 'getsockname':
      return step.result.port === 0
        ? `${h} has no address yet: the kernel answers ${formatEndpoint(step.result)}, the wildcard address and port 0. bind() or connect() gives it one.`
        : `The kernel says ${h}'s own address is ${formatEndpoint(step.result)}: the local half of its connection's addresses.`;
    case 'getpeername':
      return `The kernel says ${h}'s peer is ${formatEndpoint(step.result)}: the other end of its connection.`;
    case 'setsockopt': {
      const { option, value } = step.args;
      const set = `The kernel took ${option} = ${formatOptionValue(option, value)} on ${h}.`;
      if (option === 'SO_RCVBUF' || option === 'SO_SNDBUF') return `${set} getsockopt() shows what it really keeps: not quite what you asked for.`;
      if ((option === 'SO_REUSEADDR' || option === 'SO_REUSEPORT' || option === 'IPV6_V6ONLY') && !sock?.local) return `${set} It matters at bind(), which comes next.`;
      return `${set} getsockopt() reads back what the kernel keeps.`;
    }
    case 'poll':
      return pollSentence(step.result, sockets);
    case 'getsockopt': {
      const { option, value } = step.result;
      return `${option} on ${h} reads ${formatOptionValue(option, value)}. ${readingMeaning(option, value, sock?.optionsSet?.[option])}`;
    }
    default:
      return `${step.op}() returned.`;
  }
}

function polledHandles(step: StepView): string[] {
  return step.op === 'poll' ? step.args.socks.map((p) => p.sock) : [];
}

/** poll()'s answer: which sockets are ready and what that means for each, and who is not. */
function pollSentence(result: { ready: number; socks: { sock: string; revents: PollRevent[] }[] }, sockets: readonly SockView[]): string {
  if (result.ready === 0) return `poll() returned 0: none of ${result.socks.map((p) => p.sock).join(', ')} became ready before the timeout.`;
  const ready = result.socks.filter((p) => p.revents.length > 0);
  const idle = result.socks.filter((p) => p.revents.length === 0).map((p) => p.sock);
  const said = ready.map((p) => `${p.sock} is ${p.revents.join(', ')} (${reventMeaning(p.revents[0], sockets.find((s) => s.handle === p.sock))})`);
  return `poll() says ${said.join('; ')}.${idle.length ? ` ${idle.join(', ')} ${idle.length === 1 ? 'has' : 'have'} nothing: a call there would block.` : ''}`;
}

function nextCalls(step: StepView, sockets: readonly SockView[], kernel: readonly KernelRow[], outcome: Outcome): NextCall[] {
  const out: NextCall[] = [];
  const add = (s: SockView | undefined) => {
    if (!s || s.closed) return;
    const { suggested } = adviseCalls(factsOf(s, kernel));
    if (suggested && !out.some((n) => n.sock === s.handle)) out.push({ sock: s.handle, op: suggested });
  };
  const sock = sockets.find((s) => s.handle === step.sock);
  // The point of poll: call only on the sockets it named ready.
  if (step.status === 'ok' && step.op === 'poll' && step.result) {
    for (const p of step.result.socks) {
      const polled = sockets.find((s) => s.handle === p.sock && !s.closed);
      const op = callForReady(p.revents, polled);
      if (polled && op) out.push({ sock: polled.handle, op });
    }
  }
  // Read back what the kernel kept: for the buffer sizes, not what was asked.
  if (step.status === 'ok' && step.op === 'setsockopt' && sock && !sock.closed) out.push({ sock: sock.handle, op: 'getsockopt' });
  if (step.status === 'ok' && (step.op === 'socket' || step.op === 'accept')) {
    const made = step.result?.sock;
    add(sockets.find((s) => s.handle === made));
  }
  if (step.status === 'ok' && step.op === 'connect' && !peerOf(sock, sockets)) add(listenerAt(sock?.remote, sockets));
  if (step.status === 'ok' && (step.op === 'send' || step.op === 'shutdown' || step.op === 'close')) {
    const peer = step.op === 'close' ? sockets.find((s) => !s.closed && s.remote && sock?.local && s.remote.port === sock.local.port && s.local?.port === sock.remote?.port) : peerOf(sock, sockets);
    if (peer) out.push({ sock: peer.handle, op: 'recv' });
  }
  if (outcome !== 'blocked') add(sock);
  if (step.status === 'ok' && step.op === 'listen') {
    const client = sockets.find((s) => !s.closed && s.type === 'tcp' && !s.listening && !s.remote && s !== sock);
    if (client) out.push({ sock: client.handle, op: 'connect' });
  }
  return out.slice(0, 3);
}

export function coachFor(step: StepView, sockets: readonly SockView[], kernel: readonly KernelRow[]): Coach {
  const outcome = outcomeOf(step);
  const sock = sockets.find((s) => s.handle === step.sock);
  return { tone: outcome, text: sentence(step, sock, sockets, kernel, outcome), next: nextCalls(step, sockets, kernel, outcome) };
}

/** "Next: accept() on s1, or recv() on s3." */
export function nextText(next: readonly NextCall[]): string {
  if (!next.length) return '';
  const calls = next.map((n) => `${n.op}() on ${n.sock}`);
  return `Next: ${calls.length > 1 ? `${calls.slice(0, -1).join(', ')} or ${calls[calls.length - 1]}` : calls[0]}.`;
}
