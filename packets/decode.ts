/**
 * decodeFrame(): one captured frame in, every layer and field out. It never throws: a frame that
 * ends early or holds impossible values decodes as far as it can, and the layer where it stopped
 * carries a `problem` ("truncated" or "malformed") saying why.
 */
import { Decoding, FrameEnds } from './decoding.ts';
import { ipPayload } from './dispatch.ts';
import { ipv4 } from './ipv4.ts';
import { ipv6 } from './ipv6.ts';
import { opaque } from './layering.ts';
import { ethernet, sll, sll2 } from './link.ts';
import { LINK_TYPES, type DecodedFrame, type LinkType } from './types.ts';

export interface DecodeOptions {
  /** False: only `facts` (for summaries and tracking), no fields or explanations. Default true. */
  detail?: boolean;
  /** The frame's length on the wire, when the capture kept fewer bytes (its snap length). */
  originalLength?: number;
}

const BY_NUMBER = new Map<number, LinkType>(Object.entries(LINK_TYPES).map(([name, n]) => [n, name as LinkType]));

/** The link type for a pcap LINKTYPE_* number, or null for one this decoder does not read. */
export function linkTypeOf(n: number): LinkType | null {
  return BY_NUMBER.get(n) ?? null;
}

export function decodeFrame(frame: Uint8Array, link: LinkType, options: DecodeOptions = {}): DecodedFrame {
  const d = new Decoding(frame, options.detail ?? true, Math.max(options.originalLength ?? frame.length, frame.length));
  try {
    if (link === 'ethernet') ethernet(d, 0);
    else if (link === 'linux-sll') sll(d, 0);
    else if (link === 'linux-sll2') sll2(d, 0);
    else if (link === 'raw') rawIp(d);
    else opaque(d, 0, frame.length, `a link type this decoder does not read`);
  } catch (e) {
    if (e instanceof FrameEnds) {
      if (e.where === 'packet') {
        d.flag('malformed', `The ${e.what} runs past the end of the packet.`);
      } else if (d.originalLength > frame.length) {
        d.flag('truncated', `The capture kept only the first ${frame.length} of the frame's ${d.originalLength} bytes (its snap length), which end inside the ${e.what}.`);
      } else {
        d.flag('truncated', `The frame ends (after ${frame.length} bytes) inside the ${e.what}.`);
      }
    } else {
      // A decoder bug must not take the lab down; it shows as a malformed layer (and fails the fuzz test).
      if (!d.current) d.begin('payload', 'Data', 0);
      d.flag('malformed', `The decoder failed here: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const decoded: DecodedFrame = { link, length: frame.length, originalLength: d.originalLength, layers: d.layers, facts: d.facts };
  for (const layer of d.layers) {
    if (layer.problem) {
      decoded.problem = { ...layer.problem, protocol: layer.protocol };
      break;
    }
  }
  return decoded;
}

function rawIp(d: Decoding): void {
  d.need(0, 1, 'IP version');
  const version = d.u8(0) >> 4;
  if (version === 4) ipv4(d, 0, ipPayload);
  else if (version === 6) ipv6(d, 0, ipPayload);
  else opaque(d, 0, d.bytes.length, `a packet of IP version ${version}`);
}
