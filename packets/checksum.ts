/** The Internet checksum (RFC 1071) that IPv4 headers, TCP, UDP and ICMP carry. */
import type { PseudoHeader } from './layering.ts';

function sum16(bytes: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) acc += bytes[i] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/** True when bytes [start, end) sum to 0xffff, i.e. the checksum inside them is right. */
export function checksumOk(bytes: Uint8Array, start: number, end: number): boolean {
  return fold(sum16(bytes, start, end, 0)) === 0xffff;
}

/** The same, for a transport segment whose checksum also covers the IP addresses (the pseudo-header). */
export function transportChecksumOk(bytes: Uint8Array, start: number, end: number, protocol: number, pseudo: PseudoHeader): boolean {
  const addrLen = pseudo.version === 4 ? 4 : 16;
  let acc = sum16(bytes, pseudo.srcAt, pseudo.srcAt + addrLen, 0);
  acc = sum16(bytes, pseudo.dstAt, pseudo.dstAt + addrLen, acc);
  const length = end - start;
  acc += protocol + (length & 0xffff) + Math.floor(length / 0x10000);
  return fold(sum16(bytes, start, end, acc)) === 0xffff;
}

/**
 * What to tell a learner about a transport checksum. A wrong one is expected on the machine that
 * sent the packet: Linux leaves the final sum to the network card (or, on loopback, skips it, since
 * memory cannot corrupt it), and the capture sees the packet before that.
 */
export function checksumVerdict(ok: boolean | null): string {
  if (ok === null) return 'not checked: the capture did not keep the whole segment';
  return ok ? 'correct' : 'not the final value (filled in later by checksum offload, or never needed on loopback)';
}
