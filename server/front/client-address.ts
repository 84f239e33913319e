/**
 * Whose connection this is, for the per-address limits (lab sessions, joins, wrong join codes).
 * Behind a reverse proxy every connection comes from the proxy, so the whole school would be one
 * address; with `--trust-proxy <cidr,…>` a connection from a listed proxy is taken to be from the
 * address that proxy put in `X-Forwarded-For`. Only then: anyone else could write that header
 * and pick their own address. The list is read from the right (the hop nearest this server),
 * skipping proxies that are trusted too; the first address that is not one is the client. A value
 * that is not an IP address stops the walk at the last trusted hop, which is then the client.
 */
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "10.0.0.0/8" or a bare address (one host); throws with the bad entry named. */
export function parseCidr(text: string): Range {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number | null];
  try {
    parsed = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), null];
  } catch {
    throw new Error(`"${text}" is not an address or a CIDR range like 127.0.0.1/32 or 10.0.0.0/8`);
  }
  const [ip, bits] = parsed;
  // ::ffff:a.b.c.d is the IPv4 address, as the client's address is taken (ipaddr.process).
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress()) return [ip.toIPv4Address(), bits === null ? 32 : Math.max(0, bits - 96)];
  return [ip, bits ?? (ip.kind() === 'ipv6' ? 128 : 32)];
}

export class TrustedProxies {
  private readonly ranges: Range[];

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map(parseCidr);
  }

  get any(): boolean {
    return this.ranges.length > 0;
  }

  trusts(address: string | undefined): boolean {
    if (!address || !ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    return this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  }

  /** The client's address: the direct peer's, or what trusted proxies forwarded. */
  clientOf(req: IncomingMessage): string {
    let client = req.socket.remoteAddress ?? 'unknown';
    if (!this.trusts(client)) return client;
    // Node joins repeated X-Forwarded-For headers with ", ", in the order they came.
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (!ipaddr.isValid(hop)) break;
      client = ipaddr.process(hop).toString();
      if (!this.trusts(client)) break;
    }
    return client;
  }
}

/** The address an upgrade's client was found to have (set by the front before any hub sees it). */
const clients = new WeakMap<IncomingMessage, string>();

export function rememberClient(req: IncomingMessage, address: string): void {
  clients.set(req, address);
}

/** The client's address as the front decided it; the direct peer's when nobody decided. */
export function clientAddress(req: IncomingMessage): string | undefined {
  return clients.get(req) ?? req.socket.remoteAddress;
}
