/** IPv4 (RFC 791): the header every IPv4 packet starts with, options included. */
import { checksumOk } from './checksum.ts';
import type { Decoding } from './decoding.ts';
import { setOrNot } from './decoding.ts';
import { opaque, type IpPayloadDecoder } from './layering.ts';
import { protocolName } from './numbers.ts';
import { hex, hexNumber, ipv4 as ipv4Text, plural } from './format.ts';

export interface IpSummary {
  src: string;
  dst: string;
  protocol: number;
  /** Where the IP payload starts, and where the IP length says the packet ends. */
  payloadAt: number;
  end: number;
}

const OPTION_NAMES: Record<number, string> = {
  0: 'End of options list',
  1: 'No operation',
  7: 'Record route',
  68: 'Timestamp',
  130: 'Security',
  131: 'Loose source route',
  137: 'Strict source route',
  148: 'Router alert',
};

const ECN = ['Not ECN-capable', 'ECN-capable (1)', 'ECN-capable (0)', 'Congestion experienced'];

/** Decodes an IPv4 header at `offset` (reads stop at d.limit). Returns null if no usable header could be read. */
export function ipv4(d: Decoding, offset: number, payload: IpPayloadDecoder): IpSummary | null {
  const limit = d.limit;
  const layer = d.begin('ip', 'Internet Protocol version 4', offset);
  d.need(offset, 1, 'IPv4 version');
  const version = d.bitsOf('ip.version', 'Version', offset, 1, 0, 4, 'The IP version: 4 here. Every IP packet starts with it so a receiver knows how to read the rest.');
  const ihl = d.bitsOf('ip.hdr_len', 'Header length', offset, 1, 4, 4,
    'The length of this header in 4-byte words. 5 words (20 bytes) is the usual header with no options.',
    (n) => `${n * 4} bytes (${n})`);
  if (version !== 4) {
    d.flag('malformed', `The version field says ${version}, not 4.`);
    return null;
  }
  if (ihl < 5) {
    d.flag('malformed', `The header length says ${ihl * 4} bytes, less than the 20 every IPv4 header has.`);
    return null;
  }
  d.num('ip.dsfield', 'Differentiated services', offset + 1, 1,
    'Asks routers for a class of service (DSCP) and carries congestion signals (ECN). Almost always 0.', (n) => hexNumber(n, 2));
  d.within(d.lastField(), () => {
    d.bitsOf('ip.dsfield.dscp', 'DSCP', offset + 1, 1, 0, 6, 'Differentiated Services Code Point: a priority class some networks honour. 0 is ordinary traffic.');
    d.bitsOf('ip.dsfield.ecn', 'ECN', offset + 1, 1, 6, 2, 'Explicit Congestion Notification: lets a busy router say "slow down" without dropping the packet.', (n) => `${n} (${ECN[n]})`);
  });
  const total = d.num('ip.len', 'Total length', offset + 2, 2, 'The whole packet\'s length in bytes, this header included. The receiver uses it to find where the packet ends.');
  d.num('ip.id', 'Identification', offset + 4, 2,
    'A number the sender gives each packet, so that if a router cuts it into fragments the receiver knows which pieces belong together.',
    (n) => `${hexNumber(n, 4)} (${n})`);
  const flags = d.bitsOf('ip.flags', 'Flags', offset + 6, 1, 0, 3, 'Three bits about fragmentation: reserved, don\'t fragment (DF), more fragments (MF).',
    (n) => `${hexNumber(n, 2)}${n & 2 ? ' (don\'t fragment)' : ''}${n & 1 ? ' (more fragments)' : ''}`);
  d.within(d.lastField(), () => {
    d.bitsOf('ip.flags.rb', 'Reserved', offset + 6, 1, 0, 1, 'Unused; always 0.', setOrNot);
    d.bitsOf('ip.flags.df', 'Don\'t fragment', offset + 6, 1, 1, 1,
      'Set: routers must not cut this packet into pieces; if it is too big for a link they drop it and send back an ICMP error. Linux sets it so TCP can discover the path\'s size limit.', setOrNot);
    d.bitsOf('ip.flags.mf', 'More fragments', offset + 6, 1, 2, 1, 'Set on every fragment of a cut packet except the last.', setOrNot);
  });
  const fragment = d.bitsOf('ip.frag_offset', 'Fragment offset', offset + 6, 2, 3, 13,
    'Where this fragment\'s data goes in the original packet, in units of 8 bytes. 0 for a whole packet or the first fragment.',
    (n) => `${n * 8} bytes (${n})`);
  const ttl = d.num('ip.ttl', 'Time to live', offset + 8, 1,
    'How many more routers may forward this packet. Each router takes 1 off and drops the packet at 0, so a packet caught in a loop dies. Linux starts at 64.');
  const protocol = d.num('ip.proto', 'Protocol', offset + 9, 1, 'What the packet carries: 6 is TCP, 17 is UDP, 1 is ICMP.', (n) => `${n} (${protocolName(n)})`);
  const hlen = ihl * 4;
  d.need(offset + 10, 2, 'header checksum');
  const sumOk = d.has(offset, hlen) ? checksumOk(d.bytes, offset, offset + hlen) : null;
  d.num('ip.checksum', 'Header checksum', offset + 10, 2,
    'A sum over this header only, so a router can spot a damaged header. Routers recompute it after lowering the time to live.',
    (n) => `${hexNumber(n, 4)} (${sumOk === null ? 'not checked: header cut short' : sumOk ? 'correct' : 'wrong'})`);
  d.need(offset + 12, 8, 'addresses');
  const src = ipv4Text(d.bytes, offset + 12);
  const dst = ipv4Text(d.bytes, offset + 16);
  d.field('ip.src', 'Source address', offset + 12, 4, hex(d.bytes, offset + 12, offset + 16), src, 'The IPv4 address of the sender. A NAT router on the way may rewrite it.');
  d.field('ip.dst', 'Destination address', offset + 16, 4, hex(d.bytes, offset + 16, offset + 20), dst, 'The IPv4 address this packet is going to.');
  if (hlen > 20) options(d, offset + 20, offset + hlen);
  const more = (flags & 1) === 1;
  if (!d.quoting) {
    d.facts.ip = { version: 4, src, dst, protocol, ttl };
    if (fragment > 0) d.facts.ip.fragment = 'later';
    else if (more) d.facts.ip.fragment = 'first';
  }
  if (total < hlen) {
    d.finish(layer, offset + hlen);
    d.flag('malformed', `The total length (${total}) is shorter than the header (${hlen} bytes).`);
    return null;
  }
  const declaredEnd = offset + total;
  // A packet inside another (quoted by ICMP) stops where its container does; an outer one is
  // measured by its own length, even when the capture kept fewer bytes (reads still stop at the frame).
  const end = limit < d.bytes.length ? Math.min(declaredEnd, limit) : declaredEnd;
  d.finish(layer, offset + hlen);
  if (declaredEnd > d.bytes.length && !d.quoting) {
    d.flag('truncated', d.shortBy('the IPv4 packet', total, d.bytes.length - offset));
  }
  const summary: IpSummary = { src, dst, protocol, payloadAt: offset + hlen, end };
  if (fragment > 0) {
    opaque(d, offset + hlen, end, `fragment data (this fragment starts ${fragment * 8} bytes into the original packet)`);
  } else {
    d.inside(end, () => payload(d, protocol, offset + hlen, end, { version: 4, srcAt: offset + 12, dstAt: offset + 16, firstFragment: more }));
  }
  if (!d.quoting && end < d.bytes.length && limit === d.bytes.length) trailer(d, end);
  return summary;
}

const OPTION_KEYS: Record<number, string> = {
  0: 'ip.options.eol',
  1: 'ip.options.nop',
  7: 'ip.options.record_route',
  68: 'ip.options.timestamp',
  131: 'ip.options.source_route',
  137: 'ip.options.source_route',
  148: 'ip.options.routeralert',
};

function options(d: Decoding, start: number, end: number): void {
  d.need(start, end - start, 'IPv4 options');
  const group = d.field('lab.ip.options', 'Options', start, end - start, hex(d.bytes, start, end), plural(end - start, 'byte'),
    'Optional extras after the 20-byte header, which grow the header length past 20. Rare today: many routers drop packets that carry them.');
  d.within(group, () => {
    let at = start;
    while (at < end) {
      const type = d.u8(at);
      const name = OPTION_NAMES[type] ?? `Option ${type}`;
      const single = type === 0 || type === 1;
      const len = single ? 1 : at + 1 < end ? d.u8(at + 1) : 0;
      if (!single && (len < 2 || at + len > end)) {
        d.flag('malformed', `The IPv4 option at byte ${at} has a length (${len}) that does not fit the header.`);
        d.field('lab.ip.options.bad', 'Bad option', at, end - at, hex(d.bytes, at, end), hex(d.bytes, at, end), 'An option whose length field is impossible; the rest of the options are not read.');
        return;
      }
      const opt = d.field(OPTION_KEYS[type] ?? 'lab.ip.option', name, at, len, hex(d.bytes, at, at + len), name, optionExplain(type));
      const here = at;
      d.within(opt, () => {
        d.num('ip.opt.type', 'Type', here, 1, 'Which option this is.', (n) => `${n} (${name})`);
        d.within(d.lastField(), () => {
          d.bitsOf('ip.opt.type.copy', 'Copy on fragmentation', here, 1, 0, 1, 'Set: a router that fragments the packet copies this option into every fragment.', setOrNot);
          d.bitsOf('ip.opt.type.class', 'Class', here, 1, 1, 2, '0 for control options, 2 for debugging and measurement.');
          d.bitsOf('ip.opt.type.number', 'Number', here, 1, 3, 5, 'The option\'s number within its class.');
        });
        if (single) return;
        d.num('ip.opt.len', 'Length', here + 1, 1, 'Bytes in this option, type and length included.');
        if (type === 7 && len >= 3) {
          const pointer = d.num('ip.opt.ptr', 'Pointer', here + 2, 1, 'Where the next router writes its address, counted in bytes from the option\'s start (4 = the first slot).');
          for (let slot = here + 3; slot + 4 <= here + len; slot += 4) {
            const filled = slot - here + 1 < pointer;
            d.field(filled ? 'ip.rec_rt' : 'ip.empty_rt', filled ? 'Recorded route' : 'Empty slot', slot, 4, hex(d.bytes, slot, slot + 4), ipv4Text(d.bytes, slot),
              filled ? 'The address of a router (or the sender) the packet passed through.' : 'Room for the address of a router further on.');
          }
        } else if (len > 2) {
          d.field('lab.ip.opt.data', 'Data', here + 2, len - 2, hex(d.bytes, here + 2, here + len), hex(d.bytes, here + 2, here + len), 'The option\'s contents.');
        }
      });
      at += len;
      if (type === 0) {
        if (at < end) d.field('lab.ip.options.padding', 'Padding', at, end - at, hex(d.bytes, at, end), hex(d.bytes, at, end), 'Zeros that fill the header to a whole number of 4-byte words.');
        return;
      }
    }
  });
}

function optionExplain(type: number): string {
  if (type === 0) return 'Marks the end of the options.';
  if (type === 1) return 'One byte of filler, used to align the next option.';
  if (type === 148) return 'Asks every router on the way to look at this packet more closely (used by IGMP and RSVP).';
  if (type === 7) return 'Record route: each router on the way writes its address into the packet, like stamps in a passport.';
  if (type === 68) return 'Asks each router to write down the time.';
  return 'An IPv4 option.';
}

/** Bytes after the IP packet: Ethernet pads frames to 60 bytes; other trailers are rare. */
export function trailer(d: Decoding, at: number): void {
  const end = d.bytes.length;
  if (at >= end) return;
  const layer = d.begin('payload', 'Padding', at);
  let zeros = true;
  for (let i = at; i < end; i++) if (d.bytes[i] !== 0) zeros = false;
  d.field(zeros ? 'eth.padding' : 'eth.trailer', zeros ? 'Padding' : 'Trailer', at, end - at, hex(d.bytes, at, end), plural(end - at, 'byte'),
    zeros ? 'Ethernet frames must be at least 60 bytes long, so a short packet is padded with zeros after its end.' : 'Bytes after the end of the IP packet, not part of it.');
  d.finish(layer, end);
}
