/**
 * A row of the kernel's socket table, whichever way it was read (/proc/net text or sock_diag
 * records), and what both readers share to spell it the same way: state names and address text.
 */
import ipaddr from 'ipaddr.js';
import type { KernelRow, KernelState } from '../protocol/index.ts';

export type KernelProto = KernelRow['proto'];
export type RawKernelRow = Pick<KernelRow, 'proto' | 'local' | 'remote' | 'state' | 'rxQueue' | 'txQueue' | 'inode' | 'tcpInfo'>;

/** include/net/tcp_states.h, by number. */
const TCP_STATE_BY_NUMBER: Record<number, KernelState> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECV',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSE',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW_SYN_RECV',
};

const TCP_CLOSE = 0x07;
export const TCP_LISTEN = 0x0a;

export function isUdp(proto: KernelProto): boolean {
  return proto === 'udp' || proto === 'udp6';
}

/** The state's name as `ss` prints it, or null for a number the kernel does not use. */
export function stateName(proto: KernelProto, n: number): KernelState | null {
  // UDP borrows TCP's numbers: 07 is an unconnected socket, which `ss` calls UNCONN.
  if (isUdp(proto) && n === TCP_CLOSE) return 'UNCONN';
  return TCP_STATE_BY_NUMBER[n] ?? null;
}

/** 4 or 16 address bytes in network order, written as getsockname() and `ss` show them. */
export function formatAddress(bytes: ArrayLike<number>): string {
  const addr = ipaddr.fromByteArray(Array.from(bytes));
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    // Not ::ffff:7f00:1, which is what RFC 5952 formatting would give.
    if (v6.isIPv4MappedAddress()) return `::ffff:${v6.toIPv4Address().toString()}`;
    return v6.toRFC5952String();
  }
  return addr.toString();
}
