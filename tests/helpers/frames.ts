/** Builds small Ethernet/IPv4/TCP frames for tests that need a precise sequence of segments. */

export interface Segment {
  src: number;
  dst: number;
  seq: number;
  ack?: number;
  /** TCP flag bits: FIN 1, SYN 2, RST 4, PSH 8, ACK 16. */
  flags: number;
  data?: number;
  window?: number;
  /** Window scale option (sent in a SYN). */
  wscale?: number;
}

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const PSH = 8;
export const ACK = 16;

export function tcpFrame(s: Segment): Uint8Array {
  const options = s.wscale !== undefined ? [1, 3, 3, s.wscale] : [];
  const tcpLength = 20 + options.length;
  const data = s.data ?? 0;
  const b = new Uint8Array(14 + 20 + tcpLength + data);
  const v = new DataView(b.buffer);
  v.setUint16(12, 0x0800);
  b[14] = 0x45;
  v.setUint16(16, 20 + tcpLength + data);
  v.setUint16(20, 0x4000);
  b[22] = 64;
  b[23] = 6;
  b.set([127, 0, 0, 1], 26);
  b.set([127, 0, 0, 1], 30);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(24, ~sum & 0xffff);
  v.setUint16(34, s.src);
  v.setUint16(36, s.dst);
  v.setUint32(38, s.seq >>> 0);
  v.setUint32(42, (s.ack ?? 0) >>> 0);
  v.setUint16(46, ((tcpLength / 4) << 12) | s.flags);
  v.setUint16(48, s.window ?? 1000);
  b.set(options, 54);
  b.fill(0x61, 34 + tcpLength);
  return b;
}
