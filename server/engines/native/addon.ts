/**
 * Loads the C addon (build/Release/socketlab.node) and gives its functions types. Each function is
 * one real system call; failures throw an Error whose `code` is the errno name (EAGAIN,
 * ECONNREFUSED, ...), or TypeError/RangeError for arguments of the wrong kind. Every function that
 * takes an fd refuses (EBADF) any fd the addon did not create itself.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiagTuple, SockDiagCalls } from '../../kernel/sock-diag.ts';
import type { Endpoint } from '../../protocol/index.ts';
import { isErrorCode } from '../../protocol/errors.ts';
import { EngineError, type Family, type ShutdownHow, type SocketType } from '../types.ts';

export interface PollEvents {
  readable?: boolean;
  writable?: boolean;
  /** The peer shut down its sending side (EPOLLRDHUP); Linux only. */
  disconnect?: boolean;
}

/** What poll(2) said when libuv woke us; `error` means POLLERR (a pending socket error). */
export interface Readiness {
  readable: boolean;
  writable: boolean;
  disconnect: boolean;
  hangup: boolean;
  error: boolean;
}

/** `error` is libuv's name for a failed wait (it reports POLLERR as EBADF), else null. */
export type PollCallback = (error: string | null, events: Readiness) => void;

export interface NativeAddon {
  socket(family: Family, type: SocketType): number;
  bind(fd: number, address: string, port: number): void;
  listen(fd: number, backlog: number): void;
  accept(fd: number): { fd: number; address: string; port: number };
  connect(fd: number, address: string, port: number): void;
  /** getsockopt(SO_ERROR): null when the last non-blocking connect succeeded. Reading clears it. */
  soError(fd: number): string | null;
  send(fd: number, data: Buffer): number;
  /** An empty buffer is end of stream. `peek` leaves the bytes in the kernel. */
  recv(fd: number, max: number, peek?: boolean): Buffer;
  sendto(fd: number, data: Buffer, address: string, port: number): number;
  recvfrom(fd: number, max: number): { data: Buffer; address: string | null; port: number | null };
  shutdown(fd: number, how: ShutdownHow): void;
  close(fd: number): void;
  getsockname(fd: number): Endpoint | null;
  getpeername(fd: number): Endpoint | null;
  /** setsockopt() by name (src/sockopt.c): `a` is the value (or onoff), `b` SO_LINGER's seconds. */
  setsockoptNamed(fd: number, option: string, a: number, b: number): void;
  /** getsockopt() by name: an int (SO_RCVTIMEO in ms), or {onoff, linger} for SO_LINGER. */
  getsockoptNamed(fd: number, option: string): number | { onoff: number; linger: number };
  /** IP_LOCAL_PORT_RANGE: where the kernel may choose this socket's implicit port; 0 if the kernel lacks it (< 6.3). */
  setEphemeralRange(fd: number, lo: number, hi: number): number;
  inode(fd: number): number;
  /** ioctl(FIONREAD): bytes waiting; for UDP, the size of the next datagram. */
  readable(fd: number): number;
  /** Starts or changes the one libuv watch of `fd`; no events pauses it. */
  pollStart(fd: number, events: PollEvents, callback: PollCallback): void;
  /** Ends the watch of `fd`; close() does this itself. */
  pollStop(fd: number): void;
  /**
   * One poll(2) with timeout 0 (src/pollset.c): `events` per fd as bits (1 in, 2 out); the answer is
   * each fd's revents as bits (1 in, 2 out, 4 hup, 8 err, 16 nval), in order. 1 to 64 fds.
   */
  pollNow(fds: readonly number[], events: readonly number[]): number[];
  /** How many fds the addon holds open. */
  ownedCount(): number;
  /** [nanoseconds, calls]: the lab calls' own time inside the kernel so far, timed around each system call. */
  syscallClock(): [number, number];
  /**
   * sock_diag exact lookups (src/diag.c): one 72-byte `struct inet_diag_msg` per fd (only fds the
   * addon created: EBADF otherwise), then per tuple; a record whose family byte is 0 means the
   * kernel has no such socket. Linux only.
   */
  sockDiagFind?(fds: readonly number[], tuples: readonly DiagTuple[]): Buffer;
  /** The sockets whose local or remote port is one of `ports` (1-65535), as inet_diag_msg records. */
  sockDiag?(protocol: SocketType, family: Family, ports: readonly number[]): Buffer;
  /** Closes the sock_diag netlink socket (the server's own fd); the next call opens it again. */
  sockDiagClose?(): void;
  /** getsockopt(TCP_INFO) on one of the addon's TCP fds: the kernel's struct tcp_info (up to 256 bytes). */
  tcpInfo?(fd: number): Buffer;
}

export const ADDON_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build', 'Release', 'socketlab.node');

let loaded: NativeAddon | null | undefined;
let failure: string | null = null;

/** The addon, or null when it is not built or cannot load here; addonLoadFailure() says why. */
export function loadNativeAddon(): NativeAddon | null {
  if (loaded !== undefined) return loaded;
  if (!existsSync(ADDON_PATH)) {
    failure = `the native addon is not built (${path.relative(process.cwd(), ADDON_PATH)} is missing; run node scripts/build-addon.mjs)`;
    loaded = null;
    return loaded;
  }
  try {
    loaded = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (e) {
    failure = `the native addon did not load: ${(e as Error).message}`;
    loaded = null;
  }
  return loaded;
}

/** Why loadNativeAddon() returned null, or null if it did not. */
export function addonLoadFailure(): string | null {
  loadNativeAddon();
  return failure;
}

/**
 * The addon's Error (code = errno name) as the EngineError the lab expects. Argument errors become
 * E_BAD_REQUEST: no system call was made for them.
 */
export function asEngineError(e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  if (e instanceof TypeError || e instanceof RangeError) return new EngineError('E_BAD_REQUEST', e.message);
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isErrorCode(code)) return new EngineError(code, (e as Error).message);
  return new EngineError('E_INTERNAL', e instanceof Error ? e.message : String(e));
}

/** The addon's sock_diag calls, where it has them (Linux), for the kernel view. */
export function sockDiagCalls(addon: NativeAddon): SockDiagCalls | undefined {
  const { sockDiagFind, sockDiag, sockDiagClose, tcpInfo } = addon;
  if (!sockDiagFind || !sockDiag || !sockDiagClose || !tcpInfo) return undefined;
  return {
    find: (fds, tuples) => sockDiagFind.call(addon, fds, tuples),
    dump: (protocol, family, ports) => sockDiag.call(addon, protocol, family, ports),
    close: () => sockDiagClose.call(addon),
    tcpInfo: (fd) => tcpInfo.call(addon, fd),
  };
}
