/**
 * Which hosts and page origins may open a WebSocket here (/lab and /class): the one check both use.
 *
 * Comparing Origin with Host is not enough: with DNS rebinding, a page of evil.example whose name
 * now resolves to this machine sends `Origin: http://evil.example:3000` AND `Host: evil.example:3000`,
 * which agree. So both headers must name a host this server is known by, on this server's port:
 * loopback names and addresses, the `--host` address, the LAN address it prints (and, listening on
 * every interface, this machine's own addresses), or a configured allowed origin (a TLS proxy's
 * public name). A client without an Origin header is not a browser page (a terminal tool, a test),
 * so no page can be acting through it; its Host must still be one of ours.
 */
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

export interface OriginSettings {
  /** The server's own port (known once it listens). */
  port: () => number;
  /** The `--host` the server listens on: an address, `localhost`, or a wildcard. */
  host: string;
  /** The LAN address the server prints for a class, if any. */
  lanAddress: string | null;
  /** Extra page origins allowed, e.g. `https://lab.school.example` behind a TLS proxy. */
  allowedOrigins: string[];
}

const LOOPBACK_NAMES = new Set(['localhost']);
/** A Host header is a name or address and a port; nothing else (no userinfo, path or spaces). */
const HOST_HEADER = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

function canonicalIp(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return null;
  return ipaddr.process(bare).toString();
}

/** `http://evil.example:3000` → {hostname, port}; null when it is not an http(s) URL origin. */
function parseOrigin(origin: string): { protocol: string; hostname: string; port: number; origin: string } | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { protocol: url.protocol, hostname: url.hostname.toLowerCase(), port, origin: url.origin };
}

export class OriginCheck {
  private readonly ips = new Set<string>();
  private readonly allowedOrigins: Set<string>;
  /** `host:port` values of the allowed origins, as a proxy forwards them in Host. */
  private readonly allowedHosts = new Set<string>();

  constructor(private readonly settings: OriginSettings) {
    const wildcard = settings.host === '0.0.0.0' || settings.host === '::';
    for (const address of [wildcard ? null : settings.host, settings.lanAddress]) {
      const ip = address ? canonicalIp(address) : null;
      if (ip) this.ips.add(ip);
    }
    // Listening on every interface: each of this machine's addresses reaches this server.
    if (wildcard) {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) {
          const ip = canonicalIp(a.address.split('%')[0]);
          if (ip) this.ips.add(ip);
        }
      }
    }
    this.allowedOrigins = new Set();
    for (const o of settings.allowedOrigins) {
      const parsed = parseOrigin(o);
      if (!parsed) continue;
      this.allowedOrigins.add(parsed.origin);
      const host = parsed.hostname.includes(':') && !parsed.hostname.startsWith('[') ? `[${parsed.hostname}]` : parsed.hostname;
      const defaultPort = parsed.protocol === 'https:' ? 443 : 80;
      this.allowedHosts.add(parsed.port === defaultPort ? host : `${host}:${parsed.port}`);
      this.allowedHosts.add(`${host}:${parsed.port}`);
    }
  }

  /** A hostname (name or IP literal, IPv6 in brackets or not) this server is known by. */
  private knownHostname(hostname: string): boolean {
    const name = hostname.toLowerCase();
    if (LOOPBACK_NAMES.has(name) || name === this.settings.host.toLowerCase()) return true;
    const ip = canonicalIp(name);
    if (ip === null) return false;
    return ipaddr.parse(ip).range() === 'loopback' || this.ips.has(ip);
  }

  /** Why the handshake is refused, or null when it may proceed. */
  refusal(req: IncomingMessage): string | null {
    const hostHeader = req.headers.host;
    if (!hostHeader || !HOST_HEADER.test(hostHeader)) return 'no usable Host header';
    const host = parseOrigin(`http://${hostHeader}`);
    const hostOk =
      this.allowedHosts.has(hostHeader.toLowerCase()) ||
      (host !== null && this.knownHostname(host.hostname) && host.port === this.settings.port());
    if (!hostOk) return `the host ${JSON.stringify(hostHeader.slice(0, 100))} is not this server`;

    const origin = req.headers.origin;
    if (origin === undefined) return null; // not a browser page
    const page = parseOrigin(origin);
    if (page && this.allowedOrigins.has(page.origin)) return null;
    if (page && page.protocol === 'http:' && this.knownHostname(page.hostname) && page.port === this.settings.port()) return null;
    return `pages of ${JSON.stringify(origin.slice(0, 100))} may not open this`;
  }
}
