/**
 * The `home` network as data, and the `ip` batch scripts that build it from that data alone.
 *
 *   laptop eth0 ─┐                                  ┌──────────────── router ───────────────┐
 *   192.168.1.10 ├─ lan-laptop ┐                    │ lan (bridge)   192.168.1.1/24         │
 *                │             ├─ lan ── routing ── │ wan            203.0.113.1/24         │ ── eth0 server
 *   phone  eth0 ─┘ lan-phone  ─┘   NAT, firewall    └────────────────────────────────────────┘   203.0.113.80
 *   192.168.1.11
 *
 * Each line is a veth pair. The LAN is one bridge inside the router (a home router's built-in
 * switch), so laptop and phone share a broadcast segment and ARP/neighbour discovery are real.
 * IPv6 runs beside IPv4 on the same links, routed without NAT (2001:db8::/32 is the documentation
 * prefix). The server has no default route: like a real Internet host it has no way to private
 * addresses, and nothing in the sandbox has a route anywhere else.
 */
import type { HostName, Topology } from './schema.ts';

export interface InterfaceSpec {
  name: string;
  /** Deterministic, locally administered MACs, so a learner can tell the hosts apart in a capture. */
  mac: string;
  /** Prefixes in CIDR form, e.g. 192.168.1.10/24. */
  addresses: string[];
}

export interface RouteSpec {
  destination: string; // 'default' or a prefix
  gateway: string;
}

export interface HostSpec {
  name: HostName;
  role: string;
  /** A router: forwards packets between its interfaces. */
  forwarding: boolean;
  /** The interface names the learner sees (the router's bridge ports are listed with the link). */
  interfaces: InterfaceSpec[];
  routes: RouteSpec[];
}

/** One veth pair: `a` is created in its host's namespace with `b` as the peer in the other. */
export interface LinkSpec {
  segment: 'lan' | 'wan';
  a: { host: HostName; interface: string; mac: string };
  b: { host: HostName; interface: string };
}

export interface BridgeSpec {
  host: HostName;
  name: string;
  ports: string[];
}

export interface TopologySpec {
  name: Topology;
  hosts: HostSpec[];
  links: LinkSpec[];
  bridges: BridgeSpec[];
  segments: Array<{ name: 'lan' | 'wan'; description: string; prefixes: string[] }>;
  /** The host that does NAT and port forwards, its WAN and LAN interfaces, and the LAN prefix. */
  gateway: { host: HostName; wan: string; lan: string; lanPrefix: string; wanAddress: string };
}

export const HOME: TopologySpec = {
  name: 'home',
  hosts: [
    {
      name: 'laptop',
      role: "the learner's computer at home",
      forwarding: false,
      interfaces: [{ name: 'eth0', mac: '02:00:c0:a8:01:0a', addresses: ['192.168.1.10/24', '2001:db8:1::10/64'] }],
      routes: [
        { destination: 'default', gateway: '192.168.1.1' },
        { destination: 'default', gateway: '2001:db8:1::1' },
      ],
    },
    {
      name: 'phone',
      role: 'a second device on the same LAN',
      forwarding: false,
      interfaces: [{ name: 'eth0', mac: '02:00:c0:a8:01:0b', addresses: ['192.168.1.11/24', '2001:db8:1::11/64'] }],
      routes: [
        { destination: 'default', gateway: '192.168.1.1' },
        { destination: 'default', gateway: '2001:db8:1::1' },
      ],
    },
    {
      name: 'router',
      role: 'home router: forwards, masquerades LAN → WAN, filters',
      forwarding: true,
      interfaces: [
        { name: 'lan', mac: '02:00:c0:a8:01:01', addresses: ['192.168.1.1/24', '2001:db8:1::1/64'] },
        { name: 'wan', mac: '02:00:cb:00:71:01', addresses: ['203.0.113.1/24', '2001:db8:2::1/64'] },
      ],
      routes: [],
    },
    {
      name: 'server',
      role: 'a server on "the internet" (documentation range, RFC 5737)',
      forwarding: false,
      interfaces: [{ name: 'eth0', mac: '02:00:cb:00:71:50', addresses: ['203.0.113.80/24', '2001:db8:2::80/64'] }],
      // IPv6 needs no NAT: the server reaches the home's addresses through the router.
      routes: [{ destination: '2001:db8:1::/64', gateway: '2001:db8:2::1' }],
    },
  ],
  links: [
    { segment: 'lan', a: { host: 'router', interface: 'lan-laptop', mac: '02:01:c0:a8:01:0a' }, b: { host: 'laptop', interface: 'eth0' } },
    { segment: 'lan', a: { host: 'router', interface: 'lan-phone', mac: '02:01:c0:a8:01:0b' }, b: { host: 'phone', interface: 'eth0' } },
    { segment: 'wan', a: { host: 'router', interface: 'wan', mac: '02:00:cb:00:71:01' }, b: { host: 'server', interface: 'eth0' } },
  ],
  bridges: [{ host: 'router', name: 'lan', ports: ['lan-laptop', 'lan-phone'] }],
  segments: [
    { name: 'lan', description: 'the home network behind the router', prefixes: ['192.168.1.0/24', '2001:db8:1::/64'] },
    { name: 'wan', description: '"the internet" between the router and the server', prefixes: ['203.0.113.0/24', '2001:db8:2::/64'] },
  ],
  gateway: { host: 'router', wan: 'wan', lan: 'lan', lanPrefix: '192.168.1.0/24', wanAddress: '203.0.113.1' },
};

export function topology(name: Topology): TopologySpec {
  switch (name) {
    case 'home':
      return HOME;
  }
}

function hostSpec(spec: TopologySpec, name: HostName): HostSpec {
  const host = spec.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`topology ${spec.name} has no host ${name}`);
  return host;
}

/** Interfaces a host's own script configures: its own, minus the ones created from elsewhere. */
function macOf(spec: TopologySpec, host: HostName, name: string): string | null {
  return hostSpec(spec, host).interfaces.find((i) => i.name === name)?.mac ?? null;
}

/**
 * `addr add` lines; IPv6 without duplicate address detection, so it is usable at once. Names
 * always follow `name` or `dev`: ip reads a bare word as an abbreviated keyword when it can
 * (`ip link add a ...` means `address`).
 */
function addressLines(iface: InterfaceSpec): string[] {
  return iface.addresses.map((a) => `addr add ${a} dev ${iface.name}${a.includes(':') ? ' nodad' : ''}`);
}

export interface HostScript {
  host: HostName;
  lines: string[];
}

/**
 * The `ip -batch` scripts, in two stages: first the hosts that create links (and bridges), then
 * every other host, which only configures what it was given. `namespacePath(host)` names a
 * host's namespace file for `ip ... netns PATH` (a path, since ip opens anything with a slash).
 */
export function setupScripts(
  spec: TopologySpec,
  namespacePath: (host: HostName) => string,
): { creators: HostScript[]; others: HostScript[] } {
  const creators = new Set(spec.links.map((l) => l.a.host));
  const script = (host: HostSpec): string[] => {
    const lines = ['link set dev lo up'];
    for (const bridge of spec.bridges.filter((b) => b.host === host.name)) {
      const mac = macOf(spec, host.name, bridge.name);
      lines.push(`link add name ${bridge.name}${mac ? ` address ${mac}` : ''} type bridge`);
    }
    for (const link of spec.links.filter((l) => l.a.host === host.name)) {
      const peerMac = macOf(spec, link.b.host, link.b.interface);
      lines.push(
        `link add name ${link.a.interface} address ${link.a.mac} type veth peer name ${link.b.interface}` +
          `${peerMac ? ` address ${peerMac}` : ''} netns ${namespacePath(link.b.host)}`,
      );
    }
    for (const bridge of spec.bridges.filter((b) => b.host === host.name)) {
      for (const port of bridge.ports) lines.push(`link set dev ${port} master ${bridge.name}`, `link set dev ${port} up`);
    }
    for (const iface of host.interfaces) lines.push(`link set dev ${iface.name} up`, ...addressLines(iface));
    for (const route of host.routes) lines.push(`route add ${route.destination} via ${route.gateway}`);
    return lines;
  };
  return {
    creators: spec.hosts.filter((h) => creators.has(h.name)).map((h) => ({ host: h.name, lines: script(h) })),
    others: spec.hosts.filter((h) => !creators.has(h.name)).map((h) => ({ host: h.name, lines: script(h) })),
  };
}

/** A sysctl to set: its /proc/sys path, its value, and whether it may be absent on this kernel. */
export type Sysctl = [path: string, value: string, optional?: 'optional'];

/**
 * Namespaced sysctls each host gets before its interfaces exist (new interfaces copy `default`).
 * `pingGroup` is the gid range allowed ICMP datagram sockets, in the helper's user namespace.
 */
export function hostSysctls(host: HostSpec, settings: { synRetries: number; pingGroup: string }, spec: TopologySpec = HOME): Sysctl[] {
  const values: Sysctl[] = [
    // Port 80 on `server` is a plain bind: it reaches nothing real.
    ['net/ipv4/ip_unprivileged_port_start', '0'],
    ['net/ipv4/ping_group_range', settings.pingGroup],
    // A dropped SYN gives up after seconds, not two minutes.
    ['net/ipv4/tcp_syn_retries', String(settings.synRetries)],
    // IPv6 addresses usable at once, and no router solicitations cluttering a capture.
    ['net/ipv6/conf/default/accept_dad', '0'],
    ['net/ipv6/conf/all/accept_dad', '0'],
    ['net/ipv6/conf/default/router_solicitations', '0'],
  ];
  if (host.forwarding) values.push(['net/ipv4/ip_forward', '1'], ['net/ipv6/conf/all/forwarding', '1']);
  if (spec.bridges.some((b) => b.host === host.name)) {
    // Where br_netfilter is loaded, frames crossing a bridge also run the IP firewall hooks. A home
    // router's switch does not filter LAN to LAN, and the extra conntrack work slows every packet.
    for (const family of ['iptables', 'ip6tables', 'arptables']) values.push([`net/bridge/bridge-nf-call-${family}`, '0', 'optional']);
  }
  return values;
}
