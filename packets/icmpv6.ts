/** ICMPv6 (RFC 4443, RFC 4861): echo, errors that quote the packet they are about, and neighbour discovery. */
import { transportChecksumOk } from './checksum.ts';
import { FrameEnds, setOrNot, type Decoding } from './decoding.ts';
import { opaque, type IpPayloadDecoder, type PseudoHeader } from './layering.ts';
import { hex, hexNumber, ipv6 as ipv6Text, mac, plural } from './format.ts';
import { quotedPorts } from './icmp.ts';
import { ipv6 } from './ipv6.ts';
import type { IcmpFacts } from './types.ts';

export const ICMPV6_TYPES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbour solicitation',
  136: 'neighbour advertisement',
  137: 'redirect',
  143: 'multicast listener report v2',
};

export const UNREACHABLE6_CODES: Record<number, string> = {
  0: 'no route to destination',
  1: 'administratively prohibited',
  2: 'beyond scope of source address',
  3: 'address unreachable',
  4: 'port unreachable',
  5: 'source address failed policy',
  6: 'reject route to destination',
};

const OPTION_NAMES: Record<number, string> = {
  1: 'Source link-layer address',
  2: 'Target link-layer address',
  3: 'Prefix information',
  4: 'Redirected header',
  5: 'MTU',
  14: 'Nonce',
};

export function icmpv6CodeName(type: number, code: number): string | undefined {
  if (type === 1) return UNREACHABLE6_CODES[code];
  if (type === 3) return code === 0 ? 'hop limit exceeded in transit' : code === 1 ? 'fragment reassembly time exceeded' : undefined;
  return undefined;
}

export function icmpv6(d: Decoding, offset: number, end: number, pseudo: PseudoHeader, payload: IpPayloadDecoder): void {
  const layer = d.begin('icmpv6', 'Internet Control Message Protocol v6', offset);
  const type = d.num('icmpv6.type', 'Type', offset, 1,
    'What kind of ICMPv6 message this is: 128/129 are ping, 1 says a destination could not be reached, 135/136 ask for and give a neighbour\'s hardware address (IPv6\'s ARP).',
    (n) => `${n} (${ICMPV6_TYPES[n] ?? 'unknown'})`);
  const code = d.num('icmpv6.code', 'Code', offset + 1, 1, 'Details the type: for "destination unreachable", 4 means no program listens on that port.',
    (n) => { const name = icmpv6CodeName(type, n); return name ? `${n} (${name})` : String(n); });
  const sumOk = !d.quoting && end <= d.limit ? transportChecksumOk(d.bytes, offset, end, 58, pseudo) : null;
  d.num('icmpv6.checksum', 'Checksum', offset + 2, 2, 'A sum over the message and the IPv6 addresses, so the receiver can spot damage or a misdelivered packet.',
    (n) => `${hexNumber(n, 4)} (${sumOk === null ? 'not checked' : sumOk ? 'correct' : 'wrong'})`);
  const facts: IcmpFacts = { version: 6, type, code };
  if (!d.quoting) d.facts.icmp = facts;

  if (type === 128 || type === 129) {
    facts.identifier = d.num('icmpv6.echo.identifier', 'Identifier', offset + 4, 2, 'Chosen by the pinging program so it can tell its own replies from other programs\'.', (n) => `${n} (${hexNumber(n, 4)})`);
    facts.sequence = d.num('icmpv6.echo.sequence_number', 'Sequence number', offset + 6, 2, 'Counts the requests: 1, 2, 3... A reply carries the number of the request it answers.');
    d.finish(layer, offset + 8);
    if (end > offset + 8) opaque(d, offset + 8, end, 'echo data: the reply must carry it back unchanged');
    return;
  }
  if (type >= 1 && type <= 4) {
    if (type === 2) d.num('icmpv6.mtu', 'MTU', offset + 4, 4, 'The biggest packet the next link can carry. IPv6 routers never fragment, so the sender must send smaller packets.');
    else if (type === 4) d.num('icmpv6.pointer', 'Pointer', offset + 4, 4, 'Which byte of the quoted packet was wrong.');
    else d.num('icmpv6.reserved', 'Reserved', offset + 4, 4, 'Always zero.', (n) => hexNumber(n, 8));
    d.finish(layer, end);
    quote(d, offset + 8, end, facts, payload);
    d.current = layer;
    return;
  }
  if (type === 135 || type === 136) {
    if (type === 135) {
      d.num('icmpv6.reserved', 'Reserved', offset + 4, 4, 'Always zero.', (n) => hexNumber(n, 8));
    } else {
      d.num('icmpv6.nd.na.flag', 'Flags', offset + 4, 4, 'Router, solicited and override flags.', (n) => hexNumber(n, 8));
      d.within(d.lastField(), () => {
        d.bitsOf('icmpv6.nd.na.flag.r', 'Router', offset + 4, 1, 0, 1, 'Set when the sender is a router.', setOrNot);
        d.bitsOf('icmpv6.nd.na.flag.s', 'Solicited', offset + 4, 1, 1, 1, 'Set when this answers a neighbour solicitation (rather than announcing a change unasked).', setOrNot);
        d.bitsOf('icmpv6.nd.na.flag.o', 'Override', offset + 4, 1, 2, 1, 'Set when the receiver should replace the hardware address it already has for this IP address.', setOrNot);
        d.bitsOf('icmpv6.nd.na.flag.rsv', 'Reserved', offset + 4, 4, 3, 29, 'Always zero.');
      });
    }
    d.need(offset + 8, 16, 'target address');
    facts.target = ipv6Text(d.bytes, offset + 8);
    d.field(`icmpv6.nd.${type === 135 ? 'ns' : 'na'}.target_address`, 'Target address', offset + 8, 16, hex(d.bytes, offset + 8, offset + 24), facts.target,
      type === 135 ? 'The IPv6 address whose hardware address the sender wants: "who has this address?"' : 'The IPv6 address this advertisement is about: "this address is at my hardware address".');
    ndOptions(d, offset + 24, end, facts);
    d.finish(layer, end);
    return;
  }
  if (type === 133) {
    d.num('icmpv6.reserved', 'Reserved', offset + 4, 4, 'Always zero.', (n) => hexNumber(n, 8));
    ndOptions(d, offset + 8, end, facts);
    d.finish(layer, end);
    return;
  }
  if (type === 134) {
    d.num('icmpv6.nd.ra.cur_hop_limit', 'Hop limit', offset + 4, 1, 'The hop limit hosts on this link should put in their packets.');
    d.num('icmpv6.nd.ra.flag', 'Flags', offset + 5, 1, 'How hosts should get their addresses (by themselves, or from a DHCPv6 server).', (n) => hexNumber(n, 2));
    d.num('icmpv6.nd.ra.router_lifetime', 'Router lifetime', offset + 6, 2, 'Seconds hosts may use this router as their default route (0: not a default router).');
    d.num('icmpv6.nd.ra.reachable_time', 'Reachable time', offset + 8, 4, 'Milliseconds a neighbour counts as reachable after it was last confirmed.');
    d.num('icmpv6.nd.ra.retrans_timer', 'Retransmit timer', offset + 12, 4, 'Milliseconds between neighbour solicitations.');
    ndOptions(d, offset + 16, end, facts);
    d.finish(layer, end);
    return;
  }
  d.finish(layer, offset + 4);
  if (end > offset + 4) opaque(d, offset + 4, end, `ICMPv6 ${ICMPV6_TYPES[type] ?? `type ${type}`} body`);
}

function ndOptions(d: Decoding, start: number, end: number, facts: IcmpFacts): void {
  let at = start;
  while (at < end) {
    d.need(at, 2, 'option');
    const type = d.u8(at);
    const units = d.u8(at + 1);
    const len = units * 8;
    if (len === 0 || at + len > end) {
      d.flag('malformed', `The neighbour discovery option at byte ${at} has a length (${units} × 8 bytes) that does not fit the message.`);
      return;
    }
    d.need(at, len, 'option');
    const name = OPTION_NAMES[type] ?? `Option ${type}`;
    const group = d.field('icmpv6.opt', name, at, len, hex(d.bytes, at, at + len), name,
      type === 1 ? 'The sender\'s own hardware address, so the receiver can answer without asking back.'
        : type === 2 ? 'The hardware address the target address is at: the answer to "who has".'
          : 'A neighbour discovery option.');
    d.within(group, () => {
      d.num('icmpv6.opt.type', 'Type', at, 1, 'Which option this is.', (n) => `${n} (${name})`);
      d.num('icmpv6.opt.length', 'Length', at + 1, 1, 'The option\'s length in 8-byte units, type and length included.', (n) => `${n} (${n * 8} bytes)`);
      if ((type === 1 || type === 2) && len === 8) {
        const addr = mac(d.bytes, at + 2);
        facts.linkAddress = addr;
        d.field('icmpv6.opt.linkaddr', 'Link-layer address', at + 2, 6, hex(d.bytes, at + 2, at + 8), addr, 'A hardware (MAC) address.');
      } else if (len > 2) {
        d.field('lab.icmpv6.opt.data', 'Data', at + 2, len - 2, hex(d.bytes, at + 2, at + len), plural(len - 2, 'byte'), 'The option\'s contents.');
      }
    });
    at += len;
  }
}

function quote(d: Decoding, at: number, end: number, facts: IcmpFacts, payload: IpPayloadDecoder): void {
  if (at >= end) return;
  if (d.inside(end, () => d.has(at, 40)) && d.u8(at) >> 4 === 6) {
    // The quoted transport header follows the fixed header when there are no extension headers.
    const protocol = d.u8(at + 6);
    facts.quoted = { src: ipv6Text(d.bytes, at + 8), dst: ipv6Text(d.bytes, at + 24), protocol, ...d.inside(end, () => quotedPorts(d, protocol, at + 40)) };
  }
  const wasQuoting = d.quoting;
  d.quoting = true;
  const before = d.layers.length;
  try {
    d.inside(end, () => ipv6(d, at, payload));
  } catch (e) {
    if (!(e instanceof FrameEnds)) throw e;
    const last = d.layers[d.layers.length - 1];
    if (d.layers.length > before && last) d.finish(last, end);
  } finally {
    d.quoting = wasQuoting;
  }
}
