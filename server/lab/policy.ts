/**
 * What lab sockets may touch, checked before any system call: bind only to allowed addresses and
 * ports inside the lab range; connect and send only to allowed addresses inside the lab range, or to
 * the site's own port (the HTTP lesson). Addresses must be literal IPs: the lab never resolves names.
 */
import ipaddr from 'ipaddr.js';
import type { Family } from '../engines/types.ts';
import type { Policy } from '../protocol/index.ts';
import { LabFailure } from './failure.ts';

export interface PolicySettings {
  ports: [number, number];
  /** Allowed addresses beside loopback. */
  extraAddresses: string[];
  sitePort: number | null;
  limits: Policy['limits'];
}

const LOOPBACK = ['127.0.0.1', '::1'];

/** Canonical text of an address; IPv4-mapped IPv6 (::ffff:1.2.3.4) is treated as the IPv4 address. */
export function canonicalAddress(address: string): string {
  return ipaddr.process(address).toString();
}

export class LabPolicy {
  readonly ports: [number, number];
  readonly addresses: string[];
  private readonly allowed: Set<string>;
  sitePort: number | null;
  readonly limits: Policy['limits'];
  /**
   * The class chat when it runs on another instance (issue 21): lab sockets may reach exactly this
   * address and port, as they reach the chat on this machine.
   */
  classChat: { address: string; port: number } | null = null;

  constructor(s: PolicySettings) {
    this.ports = s.ports;
    this.addresses = [...new Set([...LOOPBACK, ...s.extraAddresses.map(canonicalAddress)])];
    this.allowed = new Set(this.addresses);
    this.sitePort = s.sitePort;
    this.limits = s.limits;
  }

  describe(): Policy {
    return { ports: this.ports, addresses: this.addresses, sitePort: this.sitePort, limits: this.limits };
  }

  inRange(port: number): boolean {
    return port >= this.ports[0] && port <= this.ports[1];
  }

  /** Whether lab sockets may use this (literal) address; IPv4-mapped IPv6 counts as its IPv4 address. */
  allows(address: string): boolean {
    return ipaddr.isValid(address) && this.allowed.has(canonicalAddress(address));
  }

  /** Parses a literal address or throws E_BAD_REQUEST; returns its canonical text. */
  parse(address: string): string {
    // Four-part decimal only: ipaddr.js also takes forms like 0x7f.1 that inet_pton would not.
    if (address.includes('%') || (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address))) {
      throw new LabFailure('E_BAD_REQUEST', `"${address.slice(0, 64)}" is not an IP address. The lab takes literal addresses like 127.0.0.1 or ::1, never names.`);
    }
    return canonicalAddress(address);
  }

  private checkAddress(address: string, verb: string): string {
    const canonical = this.parse(address);
    if (!this.allowed.has(canonical)) {
      const hint = canonical === '0.0.0.0' || canonical === '::' ? ' (that would mean every interface of this machine, including its network cards)' : '';
      throw new LabFailure('E_POLICY', `The lab may ${verb} only ${this.addresses.join(', ')}; not ${address}${hint}.`);
    }
    return canonical;
  }

  /** Port 0 is allowed here: the lab then picks a free port inside the range. */
  checkBind(address: string, port: number): string {
    const a = this.checkAddress(address, 'bind to');
    if (port !== 0 && !this.inRange(port)) {
      throw new LabFailure('E_POLICY', `Lab sockets bind only to ports ${this.ports[0]}-${this.ports[1]} (or 0 to let the lab pick one); not ${port}.`);
    }
    return a;
  }

  checkDestination(address: string, port: number): string {
    const chat = this.classChat;
    if (chat && chat.port === port && ipaddr.isValid(address) && !address.includes('%') && canonicalAddress(address) === canonicalAddress(chat.address)) {
      return this.parse(address);
    }
    const a = this.checkAddress(address, 'reach');
    if (!this.inRange(port) && port !== this.sitePort) {
      const site = this.sitePort ? ` or the site's own port ${this.sitePort}` : '';
      throw new LabFailure('E_POLICY', `Lab sockets reach only ports ${this.ports[0]}-${this.ports[1]}${site}; not ${port}.`);
    }
    return a;
  }

  /** The family an address belongs to, for a clear message before the kernel's EAFNOSUPPORT/EINVAL. */
  static familyOf(address: string): Family {
    return ipaddr.parse(address).kind() === 'ipv6' ? 6 : 4;
  }
}
