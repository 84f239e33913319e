/**
 * Lesson 2: "make phone's kernel know the MAC address it needs to send anything to server". The
 * answer is the router's, not the server's: a host only ever ARPs for its next hop. Everything is
 * read from the kernel: phone's route towards server (which gives the next hop), phone's neighbour
 * table (which must hold that hop's MAC in a usable state), and the router's own interfaces (whose
 * MAC it must be). The check sends nothing itself, so it cannot fill the table for the learner.
 */
import ipaddr from 'ipaddr.js';
import type { ChallengeCheck } from '../../protocol/index.ts';
import type { HostView, NetworkView, NeighbourView, RouteView } from '../../sandbox/index.ts';
import { ipv4Of } from './addresses.ts';
import type { NetworkChecker } from './context.ts';

/** Neighbour states in which the kernel has no MAC address it would use. */
const UNUSABLE = new Set(['INCOMPLETE', 'FAILED', 'NONE']);

export const phoneNextHop: NetworkChecker = async ({ network }) => {
  const server = ipv4Of('server');
  const view = await network.show();
  const phone = hostOf(view, 'phone');
  const route = routeTo(phone.routes, server);
  const checks: ChallengeCheck[] = [
    {
      name: `phone's routing table sends packets for ${server} to a gateway`,
      passed: route?.gateway != null,
      detail: route ? describeRoute(route) : `phone has no route to ${server} at all`,
    },
  ];
  if (!route?.gateway) return checks;
  const hop = route.gateway;
  const hopName = ownerOf(view, hop);

  const known = phone.neighbours.filter((n) => n.family === 4);
  const entry = known.find((n) => n.address === hop);
  const usable = entry !== undefined && entry.mac !== null && !entry.state.some((s) => UNUSABLE.has(s));
  checks.push({
    name: `phone's neighbour table holds the MAC address of its next hop ${hop}${hopName ? ` (${hopName})` : ''}`,
    passed: usable,
    detail: usable
      ? `${hop} is at ${entry.mac}, ${entry.state.join(' ')}`
      : entry
        ? `${hop} is there but ${entry.state.join(' ')}: ARP asked and no answer came`
        : known.length > 0
          ? `phone knows ${known.map((n) => describeNeighbour(view, n)).join(', ')}, but not ${hop}: send something from phone to a host beyond the router`
          : 'phone\'s neighbour table is empty: phone has sent nothing yet',
  });
  if (!usable) return checks;

  const owner = view.hosts.flatMap((h) => h.interfaces.map((i) => ({ host: h.name, iface: i }))).find((o) => o.iface.addresses.some((a) => a.address === hop));
  const matches = owner !== undefined && owner.iface.mac?.toLowerCase() === entry.mac?.toLowerCase();
  checks.push({
    name: `that MAC address is the one of the interface that owns ${hop}`,
    passed: matches,
    detail: owner
      ? matches
        ? `${owner.host}'s interface ${owner.iface.name} has ${owner.iface.mac}: the same`
        : `${owner.host}'s interface ${owner.iface.name} has ${owner.iface.mac ?? 'no MAC address'}, not ${entry.mac}`
      : `no host of this network has the address ${hop}`,
  });
  return checks;
};

function hostOf(view: NetworkView, name: HostView['name']): HostView {
  const host = view.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`the network has no ${name}`);
  return host;
}

/** The kernel's choice for `address`: the IPv4 route with the longest prefix that holds it. */
function routeTo(routes: readonly RouteView[], address: string): RouteView | undefined {
  const target = ipaddr.IPv4.parse(address);
  let best: { route: RouteView; bits: number } | undefined;
  for (const route of routes) {
    if (route.family !== 4) continue;
    const bits = prefixBits(route.destination, target);
    if (bits !== null && (!best || bits > best.bits)) best = { route, bits };
  }
  return best?.route;
}

function prefixBits(destination: string, target: ipaddr.IPv4): number | null {
  if (destination === 'default') return 0;
  try {
    const [prefix, bits] = destination.includes('/') ? ipaddr.IPv4.parseCIDR(destination) : [ipaddr.IPv4.parse(destination), 32];
    return target.match(prefix, bits) ? bits : null;
  } catch {
    return null;
  }
}

function describeRoute(route: RouteView): string {
  const via = route.gateway ? ` via ${route.gateway}` : ' (on the link: no gateway)';
  return `${route.destination}${via}${route.device ? ` dev ${route.device}` : ''}`;
}

/** Which host has `address` on one of its interfaces. */
function ownerOf(view: NetworkView, address: string): string | undefined {
  return view.hosts.find((h) => h.interfaces.some((i) => i.addresses.some((a) => a.address === address)))?.name;
}

function describeNeighbour(view: NetworkView, n: NeighbourView): string {
  const who = ownerOf(view, n.address);
  return `${n.address}${who ? ` (${who})` : ''}`;
}
