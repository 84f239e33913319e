/**
 * The IPv4 addresses of the sandbox's hosts, read from its topology (server/sandbox/topology.ts),
 * so a check's messages and probes name the same addresses the page shows.
 */
import type { HostName } from '../../protocol/index.ts';
import { topology } from '../../sandbox/topology.ts';

const HOME = topology('home');

/** A host's first IPv4 address (the router: its LAN side; `ROUTER_WAN` is the other). */
export function ipv4Of(host: HostName): string {
  const spec = HOME.hosts.find((h) => h.name === host);
  const cidr = spec?.interfaces.flatMap((i) => i.addresses).find((a) => !a.includes(':'));
  if (!cidr) throw new Error(`the home topology gives ${host} no IPv4 address`);
  return cidr.slice(0, cidr.indexOf('/'));
}

/** The router's public address: what the internet (`server`) sees of every LAN host. */
export const ROUTER_WAN = HOME.gateway.wanAddress;
