/**
 * Address checks the fallback must make itself: a TCP bind() here has no kernel socket to ask
 * (Node binds inside listen/connect), and names must never reach Node, which would resolve them.
 */
import net from 'node:net';
import os from 'node:os';
import type { Endpoint } from '../../protocol/index.ts';
import { EngineError, type Family } from '../types.ts';

/** Only IP literals of the socket's own family, as a sockaddr of that family would hold. */
export function checkAddress(address: string, family: Family): void {
  const literal = net.isIP(address);
  if (literal === 0) throw new EngineError('EINVAL', `${address} is not an IP address`);
  if (literal !== family) {
    throw new EngineError('EAFNOSUPPORT', `${address} is an IPv${literal} address and this is an IPv${family} socket`);
  }
}

export function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EngineError('EINVAL', `${port} is not a port number`);
  }
}

/** The kernel's rule for bind(): the address must be the wildcard or belong to this machine. */
export function checkLocalAddress(address: string, family: Family): void {
  if (address === wildcard(family)) return;
  const local = new net.BlockList();
  // Linux answers for the whole 127/8 block on lo, not only 127.0.0.1.
  local.addSubnet('127.0.0.0', 8, 'ipv4');
  for (const nets of Object.values(os.networkInterfaces())) {
    for (const n of nets ?? []) {
      if (!n.address.includes('%')) local.addAddress(n.address, n.family === 'IPv4' ? 'ipv4' : 'ipv6');
    }
  }
  if (!local.check(address, family === 4 ? 'ipv4' : 'ipv6')) {
    throw new EngineError('EADDRNOTAVAIL', `${address} is not an address of this machine`);
  }
}

export function wildcard(family: Family): string {
  return family === 4 ? '0.0.0.0' : '::';
}

/**
 * Where this engine binds a socket the kernel would bind implicitly. Never the wildcard: a lab
 * socket must not be reachable from other machines (docs/protocol.md, Policy). The lab binds such
 * sockets itself before the call (server/lab/implicit-bind.ts); this is the engine's own floor.
 */
export function loopback(family: Family): string {
  return family === 4 ? '127.0.0.1' : '::1';
}

/**
 * Whether two local endpoints claim the same port in the kernel's eyes: the same address, or a
 * wildcard on either side ('::' also covers IPv4, as a dual-stack socket does by default on Linux).
 */
export function endpointsOverlap(a: Endpoint, b: Endpoint): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  if (a.address === '::' || b.address === '::') return true;
  const sameFamily = net.isIP(a.address) === net.isIP(b.address);
  return sameFamily && (a.address === b.address || a.address === '0.0.0.0' || b.address === '0.0.0.0');
}

/** Node's address fields are undefined once a socket is gone, hence the null. */
export function endpoint(address: string | undefined, port: number | undefined): Endpoint | null {
  return address === undefined || port === undefined ? null : { address, port };
}
