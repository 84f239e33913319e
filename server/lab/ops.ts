/**
 * One handler per protocol op. Each checks policy and quotas first (nothing runs when they refuse),
 * then makes the engine's real call and shapes its result as the protocol says.
 */
import type { WaitOptions } from '../engines/types.ts';
import type { ArgsOf, Op, OptionValue, ResultOf, SocketOption } from '../protocol/index.ts';
import { LabFailure } from '../protocol/errors.ts';
import { checkListenAddress, withBoundUdp } from './implicit-bind.ts';
import { firewall, forward, network, ping } from './network-ops.ts';
import { poll } from './poll-op.ts';
import type { CallInfo, OpContext } from './op-context.ts';
import { sandboxCall } from './sandbox-call.ts';
import type { SocketEntry } from './socket-table.ts';

export type OpHandler<O extends Op> = (session: OpContext, args: ArgsOf<O>, call: CallInfo) => Promise<ResultOf<O>>;
type Handler<O extends Op> = OpHandler<O>;

const DEFAULT_BACKLOG = 5;
const DEFAULT_RECV_MAX = 4096;

function payload(session: OpContext, data: string, encoding: 'utf8' | 'base64' | undefined): Buffer {
  let buf: Buffer;
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
      throw new LabFailure('E_BAD_REQUEST', 'data is not valid base64.');
    }
    buf = Buffer.from(data, 'base64');
  } else {
    buf = Buffer.from(data, 'utf8');
  }
  const max = session.deps.policy.limits.sendBytes;
  if (buf.length > max) throw new LabFailure('E_LIMIT', `One send may carry at most ${max} bytes; this one has ${buf.length}.`);
  return buf;
}

function received(buf: Buffer) {
  return { data: buf.toString('utf8'), base64: buf.toString('base64'), bytes: buf.length };
}

/** Runs `call` as a possibly blocking call in one direction of a socket. */
async function waiting<T>(
  session: OpContext,
  handle: string,
  direction: 'read' | 'write',
  onBlocked: () => void,
  call: (entry: SocketEntry, wait: WaitOptions) => Promise<T>,
): Promise<T> {
  const entry = session.sockets.entry(handle);
  const { wait, done } = session.sockets.beginWait(entry, direction, onBlocked);
  try {
    return await call(entry, wait);
  } finally {
    done();
  }
}

/**
 * Whether the loopback policy governs a call on `handle`: every socket of this machine, and a handle
 * that does not exist (the policy's refusal comes first, as it always has). A socket on a sandbox
 * host is inside its own network namespace, which reaches nothing real: any address and port there.
 */
function policed(session: OpContext, handle: string): boolean {
  return session.sockets.find(handle)?.host === undefined;
}

const socket: Handler<'socket'> = async (session, args) => {
  session.sockets.ensureRoom();
  const family = args.family ?? 4;
  const { host } = args;
  if (host !== undefined) {
    const network = session.network();
    const sock = await sandboxCall(() => network.socket(host, args.type, family));
    if (session.ended) {
      sock.close();
      throw new LabFailure('E_CANCELLED', 'The session ended.');
    }
    const entry = session.sockets.add(sock, args.actor ?? 'program', args.type, family);
    entry.host = host;
    return { sock: entry.handle, fd: sock.fd };
  }
  const sock = session.deps.engine.socket(args.type, family);
  const entry = session.sockets.add(sock, args.actor ?? 'program', args.type, family);
  return { sock: entry.handle, fd: sock.fd };
};

const bind: Handler<'bind'> = async (session, args) => {
  const entry = session.sockets.entry(args.sock);
  // On a sandbox host the kernel picks port 0's port, as it would anywhere.
  if (entry.host !== undefined) return entry.sock.bind(args.address, args.port);
  session.deps.policy.checkBind(args.address, args.port);
  if (args.port === 0) {
    const { address, port } = await session.deps.ports.bindFree(entry.sock, args.address);
    return { address, port };
  }
  return entry.sock.bind(args.address, args.port);
};

const listen: Handler<'listen'> = async (session, args) => {
  const backlog = args.backlog ?? DEFAULT_BACKLOG;
  const entry = session.sockets.entry(args.sock);
  checkListenAddress(session, entry);
  await entry.sock.listen(backlog);
  entry.listening = true;
  return { backlog };
};

const accept: Handler<'accept'> = (session, args, { onBlocked, internal }) =>
  waiting(session, args.sock, 'read', onBlocked, async (entry, wait) => {
    // The chat server's clients come from its own allowance; everything else from the learner's cap.
    const forProgram = internal && entry.servesProgram === true;
    session.sockets.ensureRoom(forProgram);
    const got = await entry.sock.accept(wait);
    if (session.ended) {
      got.socket.close();
      throw new LabFailure('E_CANCELLED', 'The session ended.');
    }
    const child = session.sockets.add(got.socket, entry.actor, entry.type, entry.family, forProgram);
    // A connection accepted on a sandbox host lives on that host, as its listener does.
    if (entry.host !== undefined) child.host = entry.host;
    // Only connect and accept give a socket its peer: remember the pair while the kernel knows it.
    session.sockets.rememberTuple(child);
    return { sock: child.handle, fd: got.socket.fd, peer: got.peer, local: got.local };
  });

const connect: Handler<'connect'> = (session, args, { onBlocked }) => {
  if (policed(session, args.sock)) session.deps.policy.checkDestination(args.address, args.port);
  return waiting(session, args.sock, 'write', onBlocked, async (entry, wait) => {
    const { value, implicitBind } = await withBoundUdp(session, entry, args.address, () => entry.sock.connect(args.address, args.port, wait));
    session.sockets.rememberTuple(entry);
    return implicitBind ? { ...value, implicitBind } : value;
  });
};

const send: Handler<'send'> = (session, args, { onBlocked }) => {
  const buf = payload(session, args.data, args.encoding);
  return waiting(session, args.sock, 'write', onBlocked, async (entry, wait) => {
    const { value, implicitBind } = await withBoundUdp(session, entry, null, () => entry.sock.send(buf, wait));
    return implicitBind ? { bytes: value, implicitBind } : { bytes: value };
  });
};

const recv: Handler<'recv'> = (session, args, { onBlocked }) =>
  waiting(session, args.sock, 'read', onBlocked, async (entry, wait) => {
    const buf = await entry.sock.recv(args.max ?? DEFAULT_RECV_MAX, wait);
    return buf.length === 0 ? { bytes: 0 as const, eof: true as const } : received(buf);
  });

const sendto: Handler<'sendto'> = (session, args, { onBlocked }) => {
  if (policed(session, args.sock)) session.deps.policy.checkDestination(args.address, args.port);
  const buf = payload(session, args.data, args.encoding);
  return waiting(session, args.sock, 'write', onBlocked, async (entry, wait) => {
    const { value, implicitBind } = await withBoundUdp(session, entry, args.address, () => entry.sock.sendto(buf, args.address, args.port, wait));
    return implicitBind ? { bytes: value, implicitBind } : { bytes: value };
  });
};

const recvfrom: Handler<'recvfrom'> = (session, args, { onBlocked }) =>
  waiting(session, args.sock, 'read', onBlocked, async (entry, wait) => {
    const { data, from } = await entry.sock.recvfrom(args.max ?? DEFAULT_RECV_MAX, wait);
    return { ...received(data), from };
  });

const shutdown: Handler<'shutdown'> = async (session, args) => {
  await session.sockets.entry(args.sock).sock.shutdown(args.how);
  return {};
};

const close: Handler<'close'> = async (session, args) => {
  session.sockets.close(session.sockets.entry(args.sock));
  return {};
};

/** The lab's blocking flag (the OS socket itself always stays non-blocking; see docs/architecture.md). */
const setblocking: Handler<'setblocking'> = async (session, args) => {
  session.sockets.entry(args.sock).blocking = args.blocking;
  return {};
};

const kernel: Handler<'kernel'> = async (session) => ({ rows: await session.kernelView() });

const run: Handler<'run'> = async (session, args) => {
  const entry = session.sockets.entry(args.sock);
  const local = entry.sock.localAddress();
  const { policy } = session.deps;
  const inLab = entry.host !== undefined || (local !== null && policy.allows(local.address) && policy.inRange(local.port));
  if (!local || !inLab) {
    throw new LabFailure('E_BAD_REQUEST', `${args.sock} is not listening on an address of the lab: bind() and listen() first.`);
  }
  session.runProgram(entry, args);
  return { program: args.program, address: local.address, port: local.port };
};

const stop: Handler<'stop'> = async (session, args) => {
  session.stopProgram(args.program);
  return {};
};

/**
 * getsockname(): the engine's view of the local address (the native engine asks the kernel each
 * time). A socket with no address yet is the wildcard with port 0, as the kernel reports it.
 */
const getsockname: Handler<'getsockname'> = async (session, args) => {
  const entry = session.sockets.entry(args.sock);
  return entry.sock.localAddress() ?? { address: entry.family === 6 ? '::' : '0.0.0.0', port: 0 };
};

/** getpeername(): a socket with no peer fails with ENOTCONN, as the kernel's call does. */
const getpeername: Handler<'getpeername'> = async (session, args) => {
  const peer = session.sockets.entry(args.sock).sock.remoteAddress();
  if (!peer) throw new LabFailure('ENOTCONN', `${args.sock} has no peer: it is not connected.`);
  return peer;
};

/** Options whose value is a 0/1 flag (the kernel takes any int; the lab asks for the plain meaning). */
const FLAG_OPTIONS: ReadonlySet<SocketOption> = new Set(['SO_REUSEADDR', 'SO_REUSEPORT', 'SO_KEEPALIVE', 'TCP_NODELAY', 'IPV6_V6ONLY']);

/** Refuses a value whose shape does not fit the option, before any call is made. */
function checkOptionValue(option: SocketOption, value: OptionValue): void {
  const bad = (why: string) => new LabFailure('E_BAD_REQUEST', `${option}: ${why}`);
  if (option === 'SO_ERROR') throw bad('it can only be read (getsockopt): the kernel clears it as it reports it.');
  if (option === 'SO_LINGER') {
    if (typeof value === 'number') throw bad('the value is {onoff, linger} (linger in seconds).');
    return;
  }
  if (typeof value !== 'number') throw bad('the value is a number; only SO_LINGER takes {onoff, linger}.');
  if (FLAG_OPTIONS.has(option) && value > 1) throw bad('the value is 0 (off) or 1 (on).');
  if (option === 'IP_TTL' && (value < 1 || value > 255)) throw bad('the value is a hop count from 1 to 255.');
}

const setsockopt: Handler<'setsockopt'> = async (session, args) => {
  checkOptionValue(args.option, args.value);
  await session.sockets.entry(args.sock).sock.setOption(args.option, args.value);
  return {};
};

const getsockopt: Handler<'getsockopt'> = async (session, args) => {
  const value = await session.sockets.entry(args.sock).sock.getOption(args.option);
  return { option: args.option, value };
};

/** Packets (issue 17): off until the page asks; the session says whether it can run here. */
const capture: Handler<'capture'> = async (session, args) => ({ capture: await session.captureAction(args.action) });

const pcap: Handler<'pcap'> = async (session) => session.pcapFile();

export const OP_HANDLERS: { [O in Op]: Handler<O> } = {
  socket,
  bind,
  listen,
  accept,
  connect,
  send,
  recv,
  sendto,
  recvfrom,
  shutdown,
  close,
  setblocking,
  kernel,
  run,
  stop,
  network,
  firewall,
  forward,
  ping,
  getsockname,
  getpeername,
  setsockopt,
  getsockopt,
  poll,
  capture,
  pcap,
};
