/** IPv6 (RFC 8200): the fixed 40-byte header and the extension headers that may follow it. */
import type { Decoding } from './decoding.ts';
import { setOrNot } from './decoding.ts';
import { opaque, type IpPayloadDecoder } from './layering.ts';
import { protocolName } from './numbers.ts';
import { hex, hexNumber, ipv6 as ipv6Text, plural } from './format.ts';
import { trailer, type IpSummary } from './ipv4.ts';

const ECN = ['Not ECN-capable', 'ECN-capable (1)', 'ECN-capable (0)', 'Congestion experienced'];

const NEXT_EXPLAIN = 'What comes after this header: another IPv6 extension header, or the payload\'s protocol (6 TCP, 17 UDP, 58 ICMPv6).';

const OPTION_NAMES: Record<number, string> = { 0: 'Pad1', 1: 'PadN', 5: 'Router alert', 0xc2: 'Jumbo payload' };

export function ipv6(d: Decoding, offset: number, payload: IpPayloadDecoder): IpSummary | null {
  const limit = d.limit;
  const layer = d.begin('ipv6', 'Internet Protocol version 6', offset);
  d.need(offset, 4, 'IPv6 version, class and flow label');
  const version = d.bitsOf('ipv6.version', 'Version', offset, 1, 0, 4, 'The IP version: 6 here. Every IP packet starts with it so a receiver knows how to read the rest.');
  if (version !== 6) {
    d.flag('malformed', `The version field says ${version}, not 6.`);
    return null;
  }
  d.bitsOf('ipv6.tclass', 'Traffic class', offset, 2, 4, 8, 'Asks routers for a class of service (DSCP) and carries congestion signals (ECN). Almost always 0.', (n) => hexNumber(n, 2));
  d.within(d.lastField(), () => {
    d.bitsOf('ipv6.tclass.dscp', 'DSCP', offset, 2, 4, 6, 'Differentiated Services Code Point: a priority class some networks honour. 0 is ordinary traffic.');
    d.bitsOf('ipv6.tclass.ecn', 'ECN', offset + 1, 1, 2, 2, 'Explicit Congestion Notification: lets a busy router say "slow down" without dropping the packet.', (n) => `${n} (${ECN[n]})`);
  });
  d.bitsOf('ipv6.flow', 'Flow label', offset + 1, 3, 4, 20, 'A number the sender may give all packets of one conversation, so routers can keep them on the same path. Linux picks one per connection.', (n) => hexNumber(n, 5));
  const plen = d.num('ipv6.plen', 'Payload length', offset + 4, 2, 'Bytes after this 40-byte header: extension headers and payload.');
  let next = d.num('ipv6.nxt', 'Next header', offset + 6, 1, NEXT_EXPLAIN, (n) => `${n} (${protocolName(n)})`);
  const hops = d.num('ipv6.hlim', 'Hop limit', offset + 7, 1,
    'How many more routers may forward this packet; each takes 1 off and drops it at 0 (IPv4 calls this the time to live).');
  d.need(offset + 8, 32, 'addresses');
  const src = ipv6Text(d.bytes, offset + 8);
  const dst = ipv6Text(d.bytes, offset + 24);
  d.field('ipv6.src', 'Source address', offset + 8, 16, hex(d.bytes, offset + 8, offset + 24), src, 'The IPv6 address of the sender.');
  d.field('ipv6.dst', 'Destination address', offset + 24, 16, hex(d.bytes, offset + 24, offset + 40), dst,
    dst.startsWith('ff') ? 'A multicast address: every host that joined this group receives the packet.' : 'The IPv6 address this packet is going to.');
  const declaredEnd = offset + 40 + plen;
  // A packet inside another (quoted by ICMP) stops where its container does; an outer one is
  // measured by its own length, even when the capture kept fewer bytes (reads still stop at the frame).
  const end = limit < d.bytes.length ? Math.min(declaredEnd, limit) : declaredEnd;
  if (declaredEnd > d.bytes.length && !d.quoting) {
    d.flag('truncated', d.shortBy('the IPv6 payload', plen, Math.max(0, d.bytes.length - offset - 40)));
  }
  let at = offset + 40;
  let laterFragment = false;
  let firstFragment = false;
  let fragmentOffset = 0;
  // Extension headers, in the order the packet chains them.
  for (let guard = 0; guard < 16 && (next === 0 || next === 43 || next === 44 || next === 60) && at < end; guard++) {
    d.need(at, 2, 'extension header');
    const after = d.u8(at);
    if (next === 44) {
      d.need(at, 8, 'fragment header');
      const group = d.field('ipv6.fraghdr', 'Fragment header', at, 8, hex(d.bytes, at, at + 8), '8 bytes', 'Present when the sender cut the packet into fragments (only the sender may, in IPv6).');
      d.within(group, () => {
        d.num('ipv6.fraghdr.nxt', 'Next header', at, 1, NEXT_EXPLAIN, (n) => `${n} (${protocolName(n)})`);
        d.num('ipv6.fraghdr.reserved_octet', 'Reserved', at + 1, 1, 'Unused; always 0.');
        fragmentOffset = d.bitsOf('ipv6.fraghdr.offset', 'Offset', at + 2, 2, 0, 13, 'Where this fragment\'s data goes in the original packet, in units of 8 bytes.', (n) => `${n * 8} bytes (${n})`);
        d.bitsOf('ipv6.fraghdr.reserved_bits', 'Reserved bits', at + 3, 1, 5, 2, 'Unused; always 0.');
        firstFragment = d.bitsOf('ipv6.fraghdr.more', 'More fragments', at + 3, 1, 7, 1, 'Set on every fragment except the last.', setOrNot) === 1;
        d.num('ipv6.fraghdr.ident', 'Identification', at + 4, 4, 'The same number on every fragment of one original packet.', (n) => hexNumber(n, 8));
      });
      laterFragment = fragmentOffset > 0;
      next = after;
      at += 8;
      if (laterFragment) break;
      continue;
    }
    const len = (d.u8(at + 1) + 1) * 8;
    const kind = next === 0 ? 'hopopts' : next === 60 ? 'dstopts' : 'routing';
    const label = next === 0 ? 'Hop-by-hop options' : next === 60 ? 'Destination options' : 'Routing header';
    if (at + len > end) {
      d.flag('malformed', `The ${label.toLowerCase()} header says it is ${len} bytes long, past the end of the packet.`);
      return null;
    }
    d.need(at, len, label);
    const group = d.field(`ipv6.${kind}`, label, at, len, hex(d.bytes, at, at + len), plural(len, 'byte'),
      next === 0 ? 'Options every router on the path must read (for example a router alert for multicast listener reports).'
        : next === 60 ? 'Options only the destination reads.'
          : 'A list of places the packet must pass through on its way.');
    d.within(group, () => {
      d.num(`ipv6.${kind}.nxt`, 'Next header', at, 1, NEXT_EXPLAIN, (n) => `${n} (${protocolName(n)})`);
      d.num(`ipv6.${kind}.len`, 'Length', at + 1, 1, 'This header\'s length in 8-byte units, not counting the first 8 bytes.', (n) => `${n} (${(n + 1) * 8} bytes)`);
      if (kind === 'routing') {
        d.num('ipv6.routing.type', 'Type', at + 2, 1, 'Which kind of routing header this is.');
        d.num('ipv6.routing.segleft', 'Segments left', at + 3, 1, 'How many listed places are still to be visited.');
        if (len > 4) d.field('ipv6.routing.unknown_data', 'Data', at + 4, len - 4, hex(d.bytes, at + 4, at + len), plural(len - 4, 'byte'), 'The routing header\'s contents.');
      } else {
        tlvOptions(d, at + 2, at + len);
      }
    });
    next = after;
    at += len;
  }
  d.finish(layer, at);
  firstFragment &&= !laterFragment;
  if (!d.quoting) {
    d.facts.ip = { version: 6, src, dst, protocol: next, ttl: hops };
    if (laterFragment) d.facts.ip.fragment = 'later';
    else if (firstFragment) d.facts.ip.fragment = 'first';
  }
  const summary: IpSummary = { src, dst, protocol: next, payloadAt: at, end };
  if (laterFragment) {
    opaque(d, at, end, `fragment data (this fragment starts ${fragmentOffset * 8} bytes into the original packet)`);
  } else if (at < end || next === 59) {
    d.inside(end, () => payload(d, next, at, end, { version: 6, srcAt: offset + 8, dstAt: offset + 24, firstFragment }));
  }
  if (!d.quoting && end < d.bytes.length && limit === d.bytes.length) trailer(d, end);
  return summary;
}

/** The type-length-value options of hop-by-hop and destination options headers. */
function tlvOptions(d: Decoding, start: number, end: number): void {
  let at = start;
  while (at < end) {
    const type = d.u8(at);
    const len = type === 0 ? 0 : at + 1 < end ? d.u8(at + 1) : -1;
    if (len < 0 || at + 2 + len > end) {
      d.flag('malformed', `The IPv6 option at byte ${at} does not fit its header.`);
      return;
    }
    const size = type === 0 ? 1 : 2 + len;
    const name = OPTION_NAMES[type] ?? `Option ${type}`;
    const here = at;
    const f = d.field('ipv6.opt', name, at, size, hex(d.bytes, at, at + size), name,
      type === 0 || type === 1 ? 'Padding that keeps the header a multiple of 8 bytes.'
        : type === 5 ? 'Asks each router to look closely at this packet (multicast listener reports use it).' : 'An IPv6 option.');
    d.within(f, () => {
      d.num('ipv6.opt.type', 'Type', here, 1, 'Which option this is.', (n) => `${hexNumber(n, 2)} (${name})`);
      d.within(d.lastField(), () => {
        d.bitsOf('ipv6.opt.type.action', 'Action', here, 1, 0, 2, 'What a node that does not know this option must do: 0 skip it, 1 drop the packet, 2-3 drop it and send an ICMP error.');
        d.bitsOf('ipv6.opt.type.change', 'May change', here, 1, 2, 1, 'Set when routers may change the option\'s data on the way.', setOrNot);
        d.bitsOf('ipv6.opt.type.rest', 'Low-order bits', here, 1, 3, 5, 'The rest of the option number.', (n) => hexNumber(n, 2));
      });
      if (type === 0) return;
      d.num('ipv6.opt.length', 'Length', here + 1, 1, 'Bytes of option data that follow.');
      if (type === 5 && len === 2) d.num('ipv6.opt.router_alert', 'Router alert', here + 2, 2, '0 means the packet holds a multicast listener discovery (MLD) message.');
      else if (len > 0) d.field(type === 1 ? 'ipv6.opt.padn' : 'lab.ipv6.opt.data', 'Data', here + 2, len, hex(d.bytes, here + 2, here + 2 + len), plural(len, 'byte'), 'The option\'s contents.');
    });
    at += size;
  }
}
