/** Which decoder reads what a header carries: by EtherType below the IP layer, by protocol number above it. */
import { arp } from './arp.ts';
import type { Decoding } from './decoding.ts';
import { hex, payloadPreview, plural } from './format.ts';
import { icmp } from './icmp.ts';
import { icmpv6 } from './icmpv6.ts';
import { ipv4 } from './ipv4.ts';
import { ipv6 } from './ipv6.ts';
import { tcp } from './tcp.ts';
import { udp } from './udp.ts';

export const ETHER_TYPES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x86dd: 'IPv6',
  0x8100: '802.1Q VLAN',
  0x88a8: '802.1ad VLAN',
  0x88cc: 'LLDP',
};

export const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 hop-by-hop options',
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'IPv6 routing',
  44: 'IPv6 fragment',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'no next header',
  60: 'IPv6 destination options',
  132: 'SCTP',
};

export const protocolName = (p: number): string => IP_PROTOCOLS[p] ?? 'unknown';

export function etherPayload(d: Decoding, type: number, offset: number): void {
  if (type === 0x0800) ipv4(d, offset);
  else if (type === 0x86dd) ipv6(d, offset);
  else if (type === 0x0806) arp(d, offset);
  else opaque(d, offset, d.bytes.length, `EtherType 0x${type.toString(16).padStart(4, '0')}, not decoded here`);
}

/** What an IP packet carries, from `offset` to `end` (where the IP length says the packet ends). */
export function ipPayload(d: Decoding, protocol: number, offset: number, end: number, pseudo: PseudoHeader): void {
  if (protocol === 6) tcp(d, offset, end, pseudo);
  else if (protocol === 17) udp(d, offset, end, pseudo);
  else if (protocol === 1 && pseudo.version === 4) icmp(d, offset, end);
  else if (protocol === 58 && pseudo.version === 6) icmpv6(d, offset, end, pseudo);
  else if (protocol === 59) return;
  else opaque(d, offset, end, `${protocolName(protocol)} (protocol ${protocol}), not decoded here`);
}

/** What a transport decoder needs from the IP header around it. */
export interface PseudoHeader {
  version: 4 | 6;
  /** Offsets in the frame of the source and destination addresses, which checksums also cover. */
  srcAt: number;
  dstAt: number;
  /** The first fragment of a packet: its payload continues in later fragments. */
  firstFragment?: boolean;
}

/** Bytes we do not decode, shown as one field so they can still be lit and read. */
export function opaque(d: Decoding, offset: number, end: number, what: string): void {
  const stop = Math.min(end, d.bytes.length);
  if (stop <= offset) return;
  const layer = d.begin('payload', 'Data', offset);
  d.field('data.data', 'Data', offset, stop - offset, hex(d.bytes, offset, stop), payloadPreview(d.bytes, offset, stop),
    `${plural(stop - offset, 'byte')} of ${what}.`);
  d.finish(layer, stop);
}
