/**
 * The kernel's table for one session, read through the socket-diagnostics netlink interface
 * (sock_diag, what `ss` uses) with the native addon's calls (server/engines/native/src/diag.c).
 *
 * Rather than reading every socket on the machine, the reader asks the kernel about the session's
 * own sockets and connections, each by an exact lookup in the kernel's hash tables:
 *  1. each open socket by its fd, and each connection the session closed by its addresses (its
 *     TIME_WAIT, FIN_WAIT2, ... after close);
 *  2. the other end of every connection found: in this session, in one of its accept queues, or
 *     another program's (the lab's `outside` rows);
 *  3. only where a listener's accept queue holds more connections than steps 1-2 explain (a
 *     program the session cannot name connected to it), a dump of that listener's port, filtered in
 *     the kernel, then step 2 for what it found. A dump walks the kernel's whole table, so it is
 *     kept for this case.
 * Each TCP question also asks for the socket's tcp_info (INET_DIAG_INFO), decoded by tcp-info.ts.
 * What is read is the kernel's own record of each socket; the lab's bookkeeping only says which
 * sockets to ask about. server/lab/kernel-view.ts then keeps the rows that concern the session,
 * exactly as it does for the whole /proc table, so both readers give the same view.
 *
 * One difference from /proc remains: a connection half-way through its handshake with one of the
 * session's listeners (NEW_SYN_RECV) from a program the session cannot name is not counted in the
 * accept queue, so it is shown only when a dump happens anyway. On loopback the handshake finishes
 * inside the client's connect(), so such rows last microseconds.
 */
import { endianness } from 'node:os';
import type { Endpoint } from '../protocol/index.ts';
import { LabFailure } from '../protocol/errors.ts';
import type { KernelQuery, KernelReader } from './reader.ts';
import { formatAddress, isUdp, stateName, TCP_LISTEN, type KernelProto, type RawKernelRow } from './rows.ts';
import { decodeTcpInfo } from './tcp-info.ts';
import type { TcpInfo } from '../protocol/index.ts';

export interface DiagTuple {
  protocol: 'tcp' | 'udp';
  local: Endpoint;
  remote: Endpoint;
}

/** What the reader needs from the native addon; the native engine provides it (Engine.sockDiag). */
export interface SockDiagCalls {
  /**
   * Exact lookups: one DIAG_RECORD_BYTES record per fd, then one per tuple, in order; a record
   * whose first byte (the family) is 0 means the kernel has no such socket.
   */
  find(fds: readonly number[], tuples: readonly DiagTuple[]): Uint8Array;
  /** The sockets whose local or remote port is one of `ports`: a dump filtered in the kernel. */
  dump(protocol: 'tcp' | 'udp', family: 4 | 6, ports: readonly number[]): Uint8Array;
  /** Closes the netlink socket (the server is stopping); the next call opens it again. */
  close(): void;
  /** getsockopt(TCP_INFO) on one of the engine's fds: the raw struct tcp_info. */
  tcpInfo(fd: number): Uint8Array;
}

/** sizeof(struct inet_diag_msg), linux/inet_diag.h. */
export const INET_DIAG_MSG_BYTES = 72;
/** The addon's room for the socket's struct tcp_info after its u32 length (DIAG_INFO_BYTES in diag.c). */
export const DIAG_INFO_BYTES = 256;
/** One record from the addon: inet_diag_msg, the tcp_info length (0: none), tcp_info zero-padded. */
export const DIAG_RECORD_BYTES = INET_DIAG_MSG_BYTES + 4 + DIAG_INFO_BYTES;
const AF_INET = 2;
const AF_INET6 = 10;

/** A decoded record, with the kernel's cookie for the socket (unique while it exists). */
export interface DiagRow extends RawKernelRow {
  cookie: bigint;
}

/**
 * Decodes one record: `struct inet_diag_msg` (family, state, then the socket id: ports and addresses
 * in network order, interface, cookie; and expires, rqueue, wqueue, uid, inode in the host's order),
 * then the socket's tcp_info where the kernel gave one. A listener's tcp_info is left out: the
 * kernel puts its accept queue and backlog in the fields that mean unacknowledged and SACKed
 * segments, and the row already shows the queue. Returns null for an empty record (no such socket)
 * or a state the kernel does not use.
 */
export function decodeDiagRecord(buf: Uint8Array, offset: number, protocol: 'tcp' | 'udp', littleEndian = endianness() === 'LE'): DiagRow | null {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, DIAG_RECORD_BYTES);
  const family = view.getUint8(0);
  if (family !== AF_INET && family !== AF_INET6) return null;
  const proto: KernelProto = family === AF_INET ? protocol : `${protocol}6`;
  const stateNumber = view.getUint8(1);
  const state = stateName(proto, stateNumber);
  if (!state) return null;
  const addressBytes = family === AF_INET ? 4 : 16;
  const address = (at: number) => formatAddress(buf.subarray(offset + at, offset + at + addressBytes));
  const rxQueue = view.getUint32(56, littleEndian);
  const wqueue = view.getUint32(60, littleEndian);
  const infoBytes = Math.min(view.getUint32(INET_DIAG_MSG_BYTES, littleEndian), DIAG_INFO_BYTES);
  const infoAt = offset + INET_DIAG_MSG_BYTES + 4;
  const tcpInfo = protocol === 'tcp' && stateNumber !== TCP_LISTEN && infoBytes > 0 ? decodeTcpInfo(buf.subarray(infoAt, infoAt + infoBytes), littleEndian) : null;
  return {
    proto,
    local: { address: address(8), port: view.getUint16(4, false) },
    remote: { address: address(24), port: view.getUint16(6, false) },
    state,
    rxQueue,
    // For a listener sock_diag gives the backlog limit here; /proc/net gives write_seq - snd_una,
    // which for a listener is 0. The lab shows what /proc shows (docs/protocol.md).
    txQueue: !isUdp(proto) && stateNumber === TCP_LISTEN ? 0 : wqueue,
    inode: view.getUint32(68, littleEndian),
    cookie: view.getBigUint64(44, littleEndian),
    ...(tcpInfo ? { tcpInfo } : {}),
  };
}

/** Decodes a call's answer; `protocols` says which protocol each record is for (one for all, or one each). */
export function decodeDiagRecords(buf: Uint8Array, protocols: 'tcp' | 'udp' | readonly ('tcp' | 'udp')[]): (DiagRow | null)[] {
  const rows: (DiagRow | null)[] = [];
  for (let i = 0; (i + 1) * DIAG_RECORD_BYTES <= buf.length; i++) {
    const protocol = typeof protocols === 'string' ? protocols : protocols[i];
    rows.push(protocol ? decodeDiagRecord(buf, i * DIAG_RECORD_BYTES, protocol) : null);
  }
  return rows;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);
/** States of a connection waiting in an accept queue; the first two count in the listener's rx_queue. */
const ACCEPTED_STATES = new Set(['ESTABLISHED', 'CLOSE_WAIT']);
const QUEUED_STATES = new Set([...ACCEPTED_STATES, 'SYN_RECV', 'NEW_SYN_RECV']);

function protocolOf(row: RawKernelRow): 'tcp' | 'udp' {
  return isUdp(row.proto) ? 'udp' : 'tcp';
}

function key(e: Endpoint): string {
  return `${e.address}|${e.port}`;
}

/** The lookup of a connection's other end: the same two addresses, seen from the other side. */
function reverseOf(row: RawKernelRow): DiagTuple {
  return { protocol: protocolOf(row), local: row.remote, remote: row.local };
}

/** A connection completed for `listener` and not yet accepted (inode 0: no fd owns it). */
function waitsIn(listener: RawKernelRow, row: RawKernelRow): boolean {
  return (
    row.proto === listener.proto &&
    row.inode === 0 &&
    row.local.port === listener.local.port &&
    (UNSPECIFIED.has(listener.local.address) || row.local.address === listener.local.address)
  );
}

/** The rows concerning the session's sockets, by exact lookups (see the top of this file). */
export function readSessionRows(calls: SockDiagCalls, query: KernelQuery): RawKernelRow[] {
  const found = new Map<bigint, DiagRow>();
  const looked = new Set<string>();
  const add = (rows: (DiagRow | null)[]) => {
    for (const r of rows) if (r) found.set(r.cookie, r);
  };
  const lookup = (tuples: DiagTuple[]): (DiagRow | null)[] => {
    const fresh = tuples.filter((t) => {
      const k = `${t.protocol}|${key(t.local)}|${key(t.remote)}`;
      if (looked.has(k)) return false;
      looked.add(k);
      return true;
    });
    if (!fresh.length) return [];
    const rows = decodeDiagRecords(calls.find([], fresh), fresh.map((t) => t.protocol));
    add(rows);
    return rows;
  };

  // 1. The session's sockets by fd, and the connections it closed by their addresses.
  const closed: DiagTuple[] = query.closed.filter((c) => c.tcp).map((c) => ({ protocol: 'tcp', local: c.local, remote: c.remote }));
  for (const c of closed) looked.add(`tcp|${key(c.local)}|${key(c.remote)}`);
  const first = decodeDiagRecords(
    calls.find(
      query.sockets.map((s) => s.fd),
      closed,
    ),
    [...query.sockets.map((s) => s.type), ...closed.map(() => 'tcp' as const)],
  );
  add(first);
  const own = first.slice(0, query.sockets.length).filter((r): r is DiagRow => r !== null);
  for (const r of own) looked.add(`${protocolOf(r)}|${key(r.local)}|${key(r.remote)}`);

  // 2. The other end of each of the session's connections (a TIME_WAIT of an open fd, inode 0, has
  // none worth showing: its other end has finished too).
  lookup(own.filter((r) => r.inode !== 0 && r.remote.port !== 0).map(reverseOf));

  // 3. Connections queued for a listener by programs the session cannot name.
  for (const listener of own) {
    if (listener.state !== 'LISTEN' || isUdp(listener.proto)) continue;
    const explained = [...found.values()].filter((r) => waitsIn(listener, r) && ACCEPTED_STATES.has(r.state)).length;
    if (explained >= listener.rxQueue) continue;
    const family = listener.proto === 'tcp' ? 4 : 6;
    const dumped = decodeDiagRecords(calls.dump('tcp', family, [listener.local.port]), 'tcp').filter(
      (r): r is DiagRow => r !== null && waitsIn(listener, r) && QUEUED_STATES.has(r.state),
    );
    add(dumped);
    lookup(dumped.map(reverseOf));
  }

  return [...found.values()].map(({ cookie: _cookie, ...row }) => row);
}

/** A reader on the addon's sock_diag calls; an error from the kernel becomes a LabFailure. */
export function sockDiagReader(calls: SockDiagCalls): KernelReader {
  return {
    source: 'netlink',
    tcpInfo: (fd: number): TcpInfo | null => {
      try {
        return decodeTcpInfo(calls.tcpInfo(fd), endianness() === 'LE');
      } catch {
        // A socket closed or gone since the table was read: its row simply has no details.
        return null;
      }
    },
    read: async (query) => {
      try {
        return readSessionRows(calls, query);
      } catch (e) {
        const code = (e as { code?: unknown } | null)?.code;
        throw new LabFailure('E_INTERNAL', `The kernel's socket table could not be read (sock_diag: ${typeof code === 'string' ? code : String(e)}).`);
      }
    },
  };
}
