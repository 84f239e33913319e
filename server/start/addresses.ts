/** Which of this machine's addresses the server uses besides loopback, from the --host it listens on. */
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.ts';

/** A specific, non-loopback listen address is this machine's own: lab sockets may use it too. */
export function ownAddress(host: string): string[] {
  if (!ipaddr.isValid(host)) return [];
  const range = ipaddr.process(host).range();
  return range === 'loopback' || range === 'unspecified' ? [] : [host];
}

/** This machine's first LAN IPv4 address, for a class hosted on every interface (--host 0.0.0.0). */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/**
 * Every address this machine has on a network (not loopback, not IPv6 link-local, which a browser
 * cannot use without a zone), IPv4 first: what an instructor can pass to --host.
 */
export function machineAddresses(): string[] {
  const found = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !(a.family === 'IPv6' && ipaddr.parse(a.address).range() === 'linkLocal'));
  return [...found.filter((a) => a.family === 'IPv4'), ...found.filter((a) => a.family === 'IPv6')].map((a) => a.address);
}

/** The address students' programs use to reach lab sockets (and the class chat) on this machine. */
export function classAddress(config: Config): string | null {
  if (!config.class) return null;
  const own = ownAddress(config.host)[0];
  if (own) return own;
  return config.host === '0.0.0.0' ? lanAddress() : null;
}
