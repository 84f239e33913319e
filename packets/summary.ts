/** One line per packet, the way a packet list shows it: `192.168.1.10:51234 → 203.0.113.80:80 [SYN] seq=0 win=64240`. */
import type { TcpRelative } from './conversation.ts';
import { ETHER_TYPES, protocolName } from './numbers.ts';
import { endpoint, hexNumber } from './format.ts';
import { ICMP_TYPES, icmpCodeName } from './icmp.ts';
import { ICMPV6_TYPES, icmpv6CodeName } from './icmpv6.ts';
import { flagNames } from './tcp.ts';
import type { DecodedFrame, IcmpFacts } from './types.ts';

/**
 * The headline of a decoded frame. With `tcp` (from a TcpTracker) sequence and acknowledgement
 * numbers are relative, as Wireshark shows them; without it they are the raw numbers.
 */
export function summarize(frame: DecodedFrame, tcp?: TcpRelative | null): string {
  const snapped = frame.originalLength > frame.length;
  const note = !frame.problem ? '' : snapped && frame.problem.kind === 'truncated' ? ` [${frame.length} of ${frame.originalLength} bytes kept]` : ` [${frame.problem.kind}]`;
  return headline(frame, tcp ?? null) + note;
}

function headline(frame: DecodedFrame, rel: TcpRelative | null): string {
  const { facts } = frame;
  if (facts.arp) return arpLine(facts.arp);
  const ip = facts.ip;
  if (!ip) {
    if (facts.eth) return `${facts.eth.src} → ${facts.eth.dst} ${ETHER_TYPES[facts.eth.type] ?? `EtherType ${hexNumber(facts.eth.type, 4)}`}`;
    return `${frame.length}-byte frame`;
  }
  const family = ip.version === 4 ? 'IPv4' : 'IPv6';
  if (ip.fragment === 'later') return `${ip.src} → ${ip.dst} ${family} fragment of a ${protocolName(ip.protocol)} packet`;
  return firstPart(frame, rel, ip) + (ip.fragment === 'first' ? ' (first fragment)' : '');
}

function firstPart(frame: DecodedFrame, rel: TcpRelative | null, ip: NonNullable<DecodedFrame['facts']['ip']>): string {
  const { facts } = frame;
  const family = ip.version === 4 ? 'IPv4' : 'IPv6';
  if (facts.tcp) {
    const t = facts.tcp;
    const flags = flagNames(t.flags);
    let line = `${endpoint(ip.src, t.srcPort)} → ${endpoint(ip.dst, t.dstPort)} [${flags.join(', ') || 'no flags'}]`;
    line += ` seq=${rel ? rel.seq : t.seq}`;
    if (t.flags & 0x010) line += ` ack=${rel && rel.ack !== null ? rel.ack : t.ack}`;
    line += ` win=${rel ? rel.window : t.window}`;
    if (t.payloadLength > 0) line += ` len=${t.payloadLength}`;
    const sack = rel?.sack ?? t.options.sack;
    if (sack) line += ` sack=${sack.map(([l, r]) => `${l}-${r}`).join(',')}`;
    return line;
  }
  if (facts.udp) {
    const u = facts.udp;
    return `${endpoint(ip.src, u.srcPort)} → ${endpoint(ip.dst, u.dstPort)} UDP len=${u.payloadLength}`;
  }
  if (facts.icmp) return `${ip.src} → ${ip.dst} ${icmpLine(facts.icmp)}`;
  return `${ip.src} → ${ip.dst} ${family} ${protocolName(ip.protocol)} (protocol ${ip.protocol})`;
}

function arpLine(a: NonNullable<DecodedFrame['facts']['arp']>): string {
  if (a.operation === 1) {
    if (a.senderIp === '0.0.0.0') return `who has ${a.targetIp}? (probe: is anyone using it?)`;
    if (a.senderIp === a.targetIp) return `${a.senderIp} is at ${a.senderMac} (announcement)`;
    return `who has ${a.targetIp}? tell ${a.senderIp}`;
  }
  if (a.operation === 2) return `${a.senderIp} is at ${a.senderMac}`;
  return `ARP operation ${a.operation}`;
}

function icmpLine(i: IcmpFacts): string {
  const v6 = i.version === 6;
  const name = (v6 ? ICMPV6_TYPES : ICMP_TYPES)[i.type] ?? `type ${i.type}`;
  const proto = v6 ? 'ICMPv6' : 'ICMP';
  if (i.identifier !== undefined) return `${proto} ${name} id=${i.identifier} seq=${i.sequence}`;
  if (v6 && i.type === 135 && i.target) return `${proto} who has ${i.target}? (neighbour solicitation)`;
  if (v6 && i.type === 136 && i.target) return `${proto} ${i.target} is at ${i.linkAddress ?? '(no address given)'} (neighbour advertisement)`;
  const code = v6 ? icmpv6CodeName(i.type, i.code) : icmpCodeName(i.type, i.code);
  let line = `${proto} ${name}${code ? ` (${code})` : i.code ? ` (code ${i.code})` : ''}`;
  const q = i.quoted;
  if (q) {
    const transport = q.protocol === 6 ? 'TCP' : q.protocol === 17 ? 'UDP' : protocolName(q.protocol);
    line += q.srcPort !== undefined && q.dstPort !== undefined
      ? ` for ${transport} ${endpoint(q.src, q.srcPort)} → ${endpoint(q.dst, q.dstPort)}`
      : ` for ${transport} ${q.src} → ${q.dst}`;
  }
  return line;
}
