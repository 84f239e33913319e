/**
 * Which decoder reads what a header carries: by EtherType below the IP layer, by protocol number above it.
 * The one module above the protocol decoders: it hands the IP decoders (and ICMP, for the packet an
 * error quotes) `ipPayload` as an argument, so no decoder imports this module back.
 */
import { arp } from './arp.ts';
import type { Decoding } from './decoding.ts';
import { icmp } from './icmp.ts';
import { icmpv6 } from './icmpv6.ts';
import { ipv4 } from './ipv4.ts';
import { ipv6 } from './ipv6.ts';
import { opaque, type PseudoHeader } from './layering.ts';
import { protocolName } from './numbers.ts';
import { tcp } from './tcp.ts';
import { udp } from './udp.ts';

export function etherPayload(d: Decoding, type: number, offset: number): void {
  if (type === 0x0800) ipv4(d, offset, ipPayload);
  else if (type === 0x86dd) ipv6(d, offset, ipPayload);
  else if (type === 0x0806) arp(d, offset);
  else opaque(d, offset, d.bytes.length, `EtherType 0x${type.toString(16).padStart(4, '0')}, not decoded here`);
}

/** What an IP packet carries, from `offset` to `end` (where the IP length says the packet ends). */
export function ipPayload(d: Decoding, protocol: number, offset: number, end: number, pseudo: PseudoHeader): void {
  if (protocol === 6) tcp(d, offset, end, pseudo);
  else if (protocol === 17) udp(d, offset, end, pseudo);
  else if (protocol === 1 && pseudo.version === 4) icmp(d, offset, end, ipPayload);
  else if (protocol === 58 && pseudo.version === 6) icmpv6(d, offset, end, pseudo, ipPayload);
  else if (protocol === 59) return;
  else opaque(d, offset, end, `${protocolName(protocol)} (protocol ${protocol}), not decoded here`);
}
