/**
 * What one layer's decoder hands the next: the IP header's part in a transport checksum, the
 * decoder for an IP packet's payload (packets/dispatch.ts passes its own, so the IP and ICMP
 * decoders need not import it), and opaque() for bytes no decoder reads.
 */
import type { Decoding } from './decoding.ts';
import { hex, payloadPreview, plural } from './format.ts';

/** What a transport decoder needs from the IP header around it. */
export interface PseudoHeader {
  version: 4 | 6;
  /** Offsets in the frame of the source and destination addresses, which checksums also cover. */
  srcAt: number;
  dstAt: number;
  /** The first fragment of a packet: its payload continues in later fragments. */
  firstFragment?: boolean;
}

/** Decodes what an IP packet carries, from `offset` to `end`, by its protocol number. */
export type IpPayloadDecoder = (d: Decoding, protocol: number, offset: number, end: number, pseudo: PseudoHeader) => void;

/** Bytes we do not decode, shown as one field so they can still be lit and read. */
export function opaque(d: Decoding, offset: number, end: number, what: string): void {
  const stop = Math.min(end, d.bytes.length);
  if (stop <= offset) return;
  const layer = d.begin('payload', 'Data', offset);
  d.field('data.data', 'Data', offset, stop - offset, hex(d.bytes, offset, stop), payloadPreview(d.bytes, offset, stop),
    `${plural(stop - offset, 'byte')} of ${what}.`);
  d.finish(layer, stop);
}
