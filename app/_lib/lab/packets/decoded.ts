/**
 * Decoding a kept packet, once: the facts (addresses, ports, flags) for arrows and pairing, the full
 * field tree when its detail is opened. Cached per packet object, so a redraw never decodes again.
 */
import { decodeFrame, type DecodedFrame, type PacketFacts } from '@/packets';
import type { PacketView } from './store';

const FACTS = new WeakMap<PacketView, PacketFacts>();
const DETAIL = new WeakMap<PacketView, DecodedFrame>();

export function factsOf(p: PacketView): PacketFacts {
  let f = FACTS.get(p);
  if (!f) {
    f = decodeFrame(p.frame, 'ethernet', { detail: false, originalLength: p.length }).facts;
    FACTS.set(p, f);
  }
  return f;
}

export function detailOf(p: PacketView): DecodedFrame {
  let d = DETAIL.get(p);
  if (!d) {
    d = decodeFrame(p.frame, 'ethernet', { detail: true, originalLength: p.length });
    DETAIL.set(p, d);
  }
  return d;
}

export interface Ends {
  src: { address: string; port?: number };
  dst: { address: string; port?: number };
}

/** The packet's two ends (IP addresses and ports where it has them), or null for ARP and other non-IP frames. */
export function endsOf(p: PacketView): Ends | null {
  const f = factsOf(p);
  if (!f.ip) return null;
  const ports = f.tcp ?? f.udp;
  return { src: { address: f.ip.src, port: ports?.srcPort }, dst: { address: f.ip.dst, port: ports?.dstPort } };
}
