/**
 * The one interface between the lab (sessions, policy, step log) and whatever performs the socket
 * calls. server/lab/ uses only this; it never imports `net`, `dgram` or the addon.
 *
 * Every method performs the real call(s) it names. Blocking is the lab's concept: engines keep the
 * OS socket non-blocking and, when a call would block on a socket the learner left in blocking mode,
 * report that through `onBlocked` and finish the call when the kernel says it is ready (no polling
 * loops). With `blocking: false` they throw EAGAIN / EINPROGRESS at once, as the kernel does.
 */
import type { SockDiagCalls } from '../kernel/sock-diag.ts';
import { LabFailure, toErrorCode, type ErrorCode } from '../protocol/errors.ts';
import type { Endpoint, OptionValue, PollEvent, PollRevent, SocketOption } from '../protocol/index.ts';

export type SocketType = 'tcp' | 'udp';
export type Family = 4 | 6;
export type ShutdownHow = 'read' | 'write' | 'both';

/**
 * An engine's refusal: the one error type (LabFailure, server/protocol/errors.ts) with the engine's
 * own wording kept as detail. Its message is for developers (strerror's text, the engine's state);
 * the learner reads the code's plain meaning instead. The code may come raw from the kernel, the
 * addon or Node, so it is checked here, at the boundary: one the lab does not know is E_INTERNAL.
 */
export class EngineError extends LabFailure {
  constructor(code: ErrorCode | (string & {}), detail?: string) {
    super(toErrorCode(code), detail ?? code, { forLearner: false });
    this.name = 'EngineError';
  }
}

/** The part of AbortSignal the engines use; the lab passes a lighter object with the same shape. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface WaitOptions {
  /** The learner's blocking flag for this socket. */
  blocking: boolean;
  /** Aborted when the socket is closed or the session ends: the call rejects with E_CANCELLED. */
  signal: CancelSignal;
  /** Called at most once, when a blocking call has to wait for the kernel. */
  onBlocked: () => void;
}

/** A change the kernel made on its own, noticed between the learner's calls. */
export type SocketChange =
  | { change: 'connection-waiting' }
  | { change: 'data-waiting'; bytes: number }
  | { change: 'peer-closed' }
  | { change: 'error'; errno: string };

/** One socket of a poll, with the events wanted on it. */
export interface PollTarget {
  socket: EngineSocket;
  events: readonly PollEvent[];
}

/** How a poll waits: like WaitOptions, without the blocking flag (poll(2) blocks whatever O_NONBLOCK says). */
export interface PollWait {
  /** Aborted when a polled socket is closed or the session ends: the poll rejects with E_CANCELLED. */
  signal: CancelSignal;
  /** Called at most once, when nothing is ready and the poll has to wait. */
  onBlocked: () => void;
  /**
   * Where a waiting poll leaves its "ask poll(2) again now" for the caller to run before its next
   * call (returns the removal): a poll already answered by the kernel then completes before a later
   * call (a recv taking the data that woke it) runs, whatever order its watch and that call's
   * command reached the thread's loop in.
   */
  recheck?: (again: () => void) => () => void;
}

/**
 * poll(2) over several sockets of one engine. The answer is the kernel's own: each target's revents,
 * in order ([] when none). `timeoutMs` -1 waits until one is ready, 0 only looks. A target the
 * poller did not make is refused (E_BAD_REQUEST) before any call.
 */
export interface Poller {
  poll(targets: readonly PollTarget[], timeoutMs: number, wait: PollWait): Promise<PollRevent[][]>;
}

export interface AcceptResult {
  socket: EngineSocket;
  peer: Endpoint;
  local: Endpoint;
}

export interface EngineSocket {
  readonly type: SocketType;
  readonly family: Family;
  /** The real file descriptor, or null where the engine has not created one yet (fallback engine). */
  readonly fd: number | null;
  /** The socket's inode (what /proc/net/* lists), or null if there is no kernel socket yet. */
  inode(): number | null;

  bind(address: string, port: number): Promise<Endpoint>;
  listen(backlog: number): Promise<void>;
  accept(wait: WaitOptions): Promise<AcceptResult>;
  connect(address: string, port: number, wait: WaitOptions): Promise<{ local: Endpoint }>;
  send(data: Buffer, wait: WaitOptions): Promise<number>;
  /** Resolves with an empty buffer at end of stream. */
  recv(max: number, wait: WaitOptions): Promise<Buffer>;
  sendto(data: Buffer, address: string, port: number, wait: WaitOptions): Promise<number>;
  recvfrom(max: number, wait: WaitOptions): Promise<{ data: Buffer; from: Endpoint }>;
  shutdown(how: ShutdownHow): Promise<void>;
  /** Closes the socket now; pending calls reject with E_CANCELLED. Idempotent. */
  close(): void;

  localAddress(): Endpoint | null;
  remoteAddress(): Endpoint | null;

  /** setsockopt() of a named option; the value's shape is already checked against the option. */
  setOption(option: SocketOption, value: OptionValue): Promise<void>;
  /** getsockopt() of a named option: what the kernel reports. */
  getOption(option: SocketOption): Promise<OptionValue>;

  /**
   * Reports kernel changes while no call of the learner's is waiting on the same direction.
   * After a 'connection-waiting' or 'data-waiting' report, the engine stays quiet about reads
   * until the learner's next read-side call (accept/recv/recvfrom), so one arrival is one event.
   */
  watch(listener: (change: SocketChange) => void): void;

  /** The poll(2) this socket can take part in, shared by the engine's sockets; absent where the engine cannot make that call. */
  readonly poller?: Poller;
}

export interface Engine {
  readonly name: 'native' | 'node';
  /** Ops this engine performs together with others, e.g. { bind: 'bind happens inside listen()' }. */
  readonly composite: Record<string, string>;
  /** Creates a socket; throws EngineError with the errno when the kernel refuses. */
  socket(type: SocketType, family: Family): EngineSocket;
  /** Closes every socket this engine still has open (process shutdown). */
  closeAll(): void;
  /**
   * Whether one of this engine's open sockets is bound to `from` and connected to `to`: a
   * connection to the server that comes from a lab socket (the server refuses to upgrade those to
   * /lab or /class). Addresses compare canonically (IPv4-mapped IPv6 is its IPv4 address).
   */
  isConnection(from: Endpoint, to: Endpoint): boolean;
  /** File descriptors this engine holds open now, for the process-wide budget. */
  openFds(): number;
  /** Socket-diagnostics lookups on this engine's fds, where it can make them (the kernel view). */
  readonly sockDiag?: SockDiagCalls;
  /** The lab's system calls' own time so far, measured inside the engine (benchmarks set a call's cost beside it). */
  syscallClock?(): { ns: number; calls: number };
}
