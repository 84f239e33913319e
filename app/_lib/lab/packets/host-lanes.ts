/**
 * Which sandbox hosts a packet seen on `lan` or `wan` went between, for drawing it across the host
 * lanes. Each link joins some hosts (lan: laptop, phone, router; wan: router, server): an address
 * of a host on that link is that host, and any other address is beyond the router, so on this link
 * the frame went to (or came from) the router. A SYN from laptop to server is laptop → router on
 * lan, then router → server on wan.
 */
import { HOST_NAMES, type HostName, type ProtocolNetworkView } from '@/server/protocol';
import { HOST_PLACES, hostAddresses } from '@/app/_lib/network-lab/hosts';
import { factsOf } from './decoded';
import type { PacketView } from './store';

export interface HostLanes {
  from: HostName | null;
  to: HostName | null;
}

/** Each address of the network (from the kernel's view) → the host that has it. */
export function hostsByAddress(view: ProtocolNetworkView | null): Map<string, HostName> {
  const out = new Map<string, HostName>();
  if (!view) return out;
  for (const name of HOST_NAMES) for (const a of hostAddresses(view.hosts.find((h) => h.name === name))) out.set(a, name);
  return out;
}

const onLink = (host: HostName, link: string) => HOST_PLACES[host] === 'router' || HOST_PLACES[host] === link;

/** The two addresses a frame is between: IP source and destination, or ARP's sender and target. */
function addressesOf(p: PacketView): [string, string] | null {
  const f = factsOf(p);
  if (f.ip) return [f.ip.src, f.ip.dst];
  if (f.arp) return [f.arp.senderIp, f.arp.targetIp];
  return null;
}

/** The sender's and receiver's lanes of a packet on `lan` or `wan`; null ends where it cannot tell (another link, no addresses, an unknown network). */
export function hostLanes(p: PacketView, byAddress: ReadonlyMap<string, HostName>): HostLanes {
  const ends = p.link === 'lan' || p.link === 'wan' ? addressesOf(p) : null;
  if (!ends || byAddress.size === 0) return { from: null, to: null };
  const lane = (address: string): HostName => {
    const host = byAddress.get(address);
    return host && onLink(host, p.link) ? host : 'router';
  };
  const from = lane(ends[0]);
  const to = lane(ends[1]);
  return from === to ? { from: null, to: null } : { from, to };
}
