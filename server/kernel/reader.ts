/**
 * The seam between the lab and the kernel's socket table: a session asks for the rows that may
 * concern it, and a reader answers from the kernel. Two readers exist:
 *  - netlink (server/kernel/sock-diag.ts): exact lookups of the session's own sockets and
 *    connections through the socket-diagnostics interface, so the cost is the session's own;
 *  - proc (server/kernel/procnet.ts): the whole of /proc/net/{tcp,tcp6,udp,udp6}, for engines
 *    without the native addon (and for comparison, with --kernel-view proc).
 * Either may return more rows than the session's; server/lab/kernel-view.ts keeps only those that
 * concern it, so both give the same view.
 */
import type { Endpoint, TcpInfo } from '../protocol/index.ts';
import type { RawKernelRow } from './rows.ts';

export type KernelViewSource = 'netlink' | 'proc';

/** A connection by its addresses, as its socket saw them. */
export interface ConnectionTuple {
  tcp: boolean;
  local: Endpoint;
  remote: Endpoint;
}

export interface KernelQuery {
  /** The session's open sockets that have an fd (the native engine's). */
  sockets: { fd: number; type: 'tcp' | 'udp' }[];
  /** Connections whose socket the session closed: the kernel may still hold them (TIME_WAIT...). */
  closed: ConnectionTuple[];
}

export interface KernelReader {
  readonly source: KernelViewSource;
  read(query: KernelQuery): Promise<RawKernelRow[]>;
  /**
   * The kernel's tcp_info of one of the session's TCP fds, by getsockopt(TCP_INFO), or null. Only
   * the netlink reader has it (its rows carry tcp_info already); the lab uses it for sockets whose
   * rows come from elsewhere: a sandbox host's /proc/net.
   */
  tcpInfo?(fd: number): TcpInfo | null;
}
