/**
 * Matching a connection against the engines' own sockets: shared by both engines so they compare
 * addresses the same way (IPv4-mapped IPv6, as a dual-stack server reports its peers, is the IPv4
 * address a lab socket shows).
 *
 * Both ends are compared, not only the lab socket's local one: the kernel lets sockets with
 * SO_REUSEADDR share a local address and port when their peers differ, and the lab's ports lie in
 * the ephemeral range, so a browser's connection may use the same local port as a lab socket that
 * talks to someone else.
 */
import ipaddr from 'ipaddr.js';
import type { Endpoint } from '../protocol/index.ts';
import type { EngineSocket } from './types.ts';

function canonical(address: string): string | null {
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : null;
}

function same(a: Endpoint | null, b: Endpoint, address: string | null): boolean {
  return a !== null && a.port === b.port && canonical(a.address) === address;
}

/** Whether one of `sockets` is this connection's far end: its local endpoint is `from` and its peer is `to`. */
export function anyIsConnection(sockets: Iterable<EngineSocket>, from: Endpoint, to: Endpoint): boolean {
  const fromAddress = canonical(from.address);
  const toAddress = canonical(to.address);
  if (fromAddress === null || toAddress === null) return false;
  for (const socket of sockets) {
    try {
      if (same(socket.localAddress(), from, fromAddress) && same(socket.remoteAddress(), to, toAddress)) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}
