/**
 * Matching a connection's peer against the engines' own sockets: shared by both engines so they
 * compare addresses the same way (IPv4-mapped IPv6, as a dual-stack server reports its peers, is
 * the IPv4 address a lab socket shows).
 */
import ipaddr from 'ipaddr.js';
import type { EngineSocket } from './types.ts';

function canonical(address: string): string | null {
  return ipaddr.isValid(address) ? ipaddr.process(address).toString() : null;
}

export function anyHasLocalEndpoint(sockets: Iterable<EngineSocket>, address: string, port: number): boolean {
  const wanted = canonical(address);
  if (wanted === null) return false;
  for (const socket of sockets) {
    let local;
    try {
      local = socket.localAddress();
    } catch {
      continue; // closed meanwhile
    }
    if (local && local.port === port && canonical(local.address) === wanted) return true;
  }
  return false;
}
