/**
 * A packet that crossed the sandbox's router is captured twice: once on `lan`, once on `wan`. This
 * pairs the two sightings and says which fields the router rewrote (the source address and port
 * after masquerading, the destination after a port forward), so the view can mark them.
 *
 * Pairing uses what NAT leaves alone: for TCP the raw sequence and acknowledgement numbers, flags
 * and data length; for UDP the data length and bytes; for ICMP echo the identifier's absence of
 * change is not guaranteed (NAT may rewrite it), so type, code and sequence. Both sightings must be
 * within PAIR_WINDOW_MS of each other.
 */
import { factsOf } from './decoded';
import type { PacketView } from './store';

export const PAIR_WINDOW_MS = 200;

export type Rewritten = 'src-address' | 'src-port' | 'dst-address' | 'dst-port';

export interface Crossing {
  /** The other sighting of the same packet, on the other link. */
  twin: PacketView;
  /** Which fields differ between the two sightings. */
  rewritten: Rewritten[];
}

function fingerprint(p: PacketView): string | null {
  const f = factsOf(p);
  if (!f.ip) return null;
  if (f.tcp) return `t ${f.tcp.seq} ${f.tcp.ack} ${f.tcp.flags} ${f.tcp.payloadLength}`;
  if (f.udp) {
    const bytes = p.frame.subarray(f.udp.payloadOffset, f.udp.payloadOffset + Math.min(f.udp.payloadLength, 32));
    return `u ${f.udp.payloadLength} ${Array.from(bytes).join(',')}`;
  }
  if (f.icmp) return `i ${f.icmp.type} ${f.icmp.code} ${f.icmp.sequence ?? ''}`;
  return null;
}

function differences(a: PacketView, b: PacketView): Rewritten[] {
  const fa = factsOf(a);
  const fb = factsOf(b);
  const pa = fa.tcp ?? fa.udp;
  const pb = fb.tcp ?? fb.udp;
  const out: Rewritten[] = [];
  if (fa.ip!.src !== fb.ip!.src) out.push('src-address');
  if (pa && pb && pa.srcPort !== pb.srcPort) out.push('src-port');
  if (fa.ip!.dst !== fb.ip!.dst) out.push('dst-address');
  if (pa && pb && pa.dstPort !== pb.dstPort) out.push('dst-port');
  return out;
}

/** Each packet seen on both `lan` and `wan`, with its twin and the rewritten fields. Packets seen once are absent. */
export function crossingsOf(list: readonly PacketView[]): Map<PacketView, Crossing> {
  const out = new Map<PacketView, Crossing>();
  const waiting = new Map<string, PacketView[]>();
  for (const p of list) {
    if (p.link !== 'lan' && p.link !== 'wan') continue;
    const key = fingerprint(p);
    if (key === null) continue;
    const other = p.link === 'lan' ? 'wan' : 'lan';
    const candidates = waiting.get(`${other} ${key}`) ?? [];
    const i = candidates.findIndex((q) => Math.abs(q.time - p.time) <= PAIR_WINDOW_MS);
    if (i !== -1) {
      const twin = candidates.splice(i, 1)[0];
      const rewritten = differences(twin, p);
      out.set(p, { twin, rewritten });
      out.set(twin, { twin: p, rewritten });
      continue;
    }
    const mine = `${p.link} ${key}`;
    const list2 = waiting.get(mine) ?? [];
    list2.push(p);
    if (list2.length > 64) list2.shift();
    waiting.set(mine, list2);
  }
  return out;
}

export const REWRITE_WORDS: Record<Rewritten, string> = {
  'src-address': 'source address',
  'src-port': 'source port',
  'dst-address': 'destination address',
  'dst-port': 'destination port',
};
