/** ICMP for IPv4 (RFC 792): echo (ping) and the error messages that quote the packet they are about. */
import { checksumOk } from './checksum.ts';
import { FrameEnds, type Decoding } from './decoding.ts';
import { opaque, type IpPayloadDecoder } from './layering.ts';
import { hex, hexNumber, ipv4 as ipv4Text } from './format.ts';
import { ipv4 } from './ipv4.ts';
import type { IcmpFacts } from './types.ts';

export const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'destination unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
  13: 'timestamp request',
  14: 'timestamp reply',
};

export const UNREACHABLE_CODES: Record<number, string> = {
  0: 'network unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  5: 'source route failed',
  6: 'destination network unknown',
  7: 'destination host unknown',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  13: 'communication administratively prohibited',
};

const TIME_EXCEEDED_CODES: Record<number, string> = { 0: 'time to live exceeded in transit', 1: 'fragment reassembly time exceeded' };

export function icmpCodeName(type: number, code: number): string | undefined {
  if (type === 3) return UNREACHABLE_CODES[code];
  if (type === 11) return TIME_EXCEEDED_CODES[code];
  return undefined;
}

const TYPE_EXPLAIN =
  'What kind of ICMP message this is: 8 is an echo request (ping), 0 its reply, 3 says a destination could not be reached, 11 that a packet ran out of time to live.';

export function icmp(d: Decoding, offset: number, end: number, payload: IpPayloadDecoder): void {
  const layer = d.begin('icmp', 'Internet Control Message Protocol', offset);
  const type = d.num('icmp.type', 'Type', offset, 1, TYPE_EXPLAIN, (n) => `${n} (${ICMP_TYPES[n] ?? 'unknown'})`);
  const code = d.num('icmp.code', 'Code', offset + 1, 1, 'Details the type: for "destination unreachable", 3 means no program listens on that port, 1 that the host cannot be reached.',
    (n) => { const name = icmpCodeName(type, n); return name ? `${n} (${name})` : String(n); });
  const whole = d.has(offset, end - offset) && end <= d.bytes.length;
  const sumOk = whole ? checksumOk(d.bytes, offset, end) : null;
  d.num('icmp.checksum', 'Checksum', offset + 2, 2, 'A sum over the whole ICMP message, so the receiver can spot damage.',
    (n) => `${hexNumber(n, 4)} (${sumOk === null ? 'not checked: message cut short' : sumOk ? 'correct' : 'wrong'})`);
  const facts: IcmpFacts = { version: 4, type, code };
  if (!d.quoting) d.facts.icmp = facts;
  if (type === 0 || type === 8) {
    facts.identifier = d.num('icmp.ident', 'Identifier', offset + 4, 2, 'Chosen by the pinging program so it can tell its own replies from other programs\'.', (n) => `${n} (${hexNumber(n, 4)})`);
    facts.sequence = d.num('icmp.seq', 'Sequence number', offset + 6, 2, 'Counts the requests: 1, 2, 3... A reply carries the number of the request it answers.');
    d.finish(layer, offset + 8);
    if (end > offset + 8) opaque(d, offset + 8, end, 'echo data: the reply must carry it back unchanged');
    return;
  }
  if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) {
    if (type === 3 && code === 4) {
      d.num('icmp.unused', 'Unused', offset + 4, 2, 'Always zero.');
      d.num('icmp.mtu', 'Next-hop MTU', offset + 6, 2, 'The biggest packet the next link can carry. The sender should send smaller packets.');
    } else if (type === 5) {
      d.need(offset + 4, 4, 'gateway address');
      d.field('icmp.redir_gw', 'Gateway address', offset + 4, 4, hex(d.bytes, offset + 4, offset + 8), ipv4Text(d.bytes, offset + 4), 'The better router to use for this destination.');
    } else if (type === 12) {
      d.num('icmp.pointer', 'Pointer', offset + 4, 1, 'Which byte of the quoted header was wrong.');
      d.need(offset + 5, 3, 'unused');
      d.field('icmp.unused', 'Unused', offset + 5, 3, hex(d.bytes, offset + 5, offset + 8), hex(d.bytes, offset + 5, offset + 8), 'Always zero.');
    } else {
      d.need(offset + 4, 4, 'unused');
      d.field('icmp.unused', 'Unused', offset + 4, 4, hex(d.bytes, offset + 4, offset + 8), hex(d.bytes, offset + 4, offset + 8), 'Always zero.');
    }
    d.finish(layer, end);
    quote(d, offset + 8, end, facts, payload);
    d.current = layer;
    return;
  }
  d.need(offset + 4, 4, 'rest of header');
  d.field('lab.icmp.rest', 'Rest of header', offset + 4, 4, hex(d.bytes, offset + 4, offset + 8), hex(d.bytes, offset + 4, offset + 8), 'Four bytes whose meaning depends on the type.');
  d.finish(layer, offset + 8);
  if (end > offset + 8) opaque(d, offset + 8, end, `ICMP type ${type} data`);
}

/**
 * The start of the packet that caused an error: its IP header and the first bytes of its payload
 * (at least 8, enough for the ports). The quote ending early is normal, not a problem.
 */
function quote(d: Decoding, at: number, end: number, facts: IcmpFacts, payload: IpPayloadDecoder): void {
  if (at >= end) return;
  const peeked = d.inside(end, () => peekIpv4(d, at));
  if (peeked) facts.quoted = peeked;
  const wasQuoting = d.quoting;
  d.quoting = true;
  const before = d.layers.length;
  try {
    d.inside(end, () => ipv4(d, at, payload));
  } catch (e) {
    if (!(e instanceof FrameEnds)) throw e;
    // The error message quoted fewer bytes than a whole header: show what is there.
    const last = d.layers[d.layers.length - 1];
    if (d.layers.length > before && last) d.finish(last, end);
  } finally {
    d.quoting = wasQuoting;
  }
}

/** The addresses, protocol and ports of a quoted IPv4 packet, read straight from its bytes. */
function peekIpv4(d: Decoding, at: number): IcmpFacts['quoted'] | null {
  if (!d.has(at, 20) || d.u8(at) >> 4 !== 4) return null;
  const protocol = d.u8(at + 9);
  const payloadAt = at + (d.u8(at) & 0x0f) * 4;
  return { src: ipv4Text(d.bytes, at + 12), dst: ipv4Text(d.bytes, at + 16), protocol, ...quotedPorts(d, protocol, payloadAt) };
}

export function quotedPorts(d: Decoding, protocol: number, at: number): { srcPort?: number; dstPort?: number } {
  if ((protocol === 6 || protocol === 17) && d.has(at, 4)) return { srcPort: d.u16(at), dstPort: d.u16(at + 2) };
  return {};
}
