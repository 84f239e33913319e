/**
 * TCP conversations as Wireshark numbers them: each stream gets an index, and sequence and
 * acknowledgement numbers are shown relative to each direction's initial sequence number (the
 * ISN a SYN carries), so a conversation reads 0, 1, 6... instead of 2333086526, 2333086527...
 *
 * Wireshark's rules, which tests check against tshark: a direction's base is the SYN's sequence
 * number; if the capture starts after the SYN, it is the first sequence number seen minus 1, or
 * the other side's acknowledgement number minus 1, whichever comes first. A SYN (without ACK)
 * whose sequence number differs from its direction's base starts a new stream on the same ports.
 */
import type { PacketFacts } from './types.ts';

export interface TcpRelative {
  /** The stream's index in this tracker, from 0 in order of first appearance (Wireshark's tcp.stream). */
  stream: number;
  /** The sequence number relative to this direction's ISN. */
  seq: number;
  /** The acknowledgement number relative to the other direction's ISN; null when ACK is not set. */
  ack: number | null;
  /** The relative sequence number this direction's next new byte will have (seq + data + SYN + FIN). */
  nextSeq: number;
  /** SACK blocks, relative to the other direction's ISN. */
  sack?: Array<[number, number]>;
  /** Whether this segment goes the way the stream's first packet went. */
  fromOpener: boolean;
  /**
   * The window in bytes: the window field times 2^scale once both SYNs agreed a window scale
   * (Wireshark's "calculated window size"); the field itself when the SYNs were not seen.
   */
  window: number;
}

interface Direction {
  base: number;
  baseSet: boolean;
  /** The window scale this side's SYN offered: undefined before its SYN is seen, null when it offered none. */
  scale?: number | null;
}

interface Stream {
  index: number;
  /** "address port" of the endpoint that sent the stream's first packet. */
  opener: string;
  fromOpener: Direction;
  toOpener: Direction;
}

const U32 = 2 ** 32;
const rel = (n: number, base: number) => (((n - base) % U32) + U32) % U32;

export class TcpTracker {
  readonly #streams = new Map<string, Stream>();
  readonly #maxStreams: number;
  #next = 0;

  /** At most `maxStreams` are remembered; the oldest is forgotten first (its packets would then start a new stream). */
  constructor(maxStreams = 4096) {
    this.#maxStreams = maxStreams;
  }

  /** Relative numbers for a TCP packet (null for anything else). Call it for packets in capture order. */
  track(facts: PacketFacts): TcpRelative | null {
    const tcp = facts.tcp;
    const ip = facts.ip;
    if (!tcp || !ip) return null;
    const from = `${ip.src} ${tcp.srcPort}`;
    const to = `${ip.dst} ${tcp.dstPort}`;
    const key = from < to ? `${from}|${to}` : `${to}|${from}`;
    const syn = (tcp.flags & 0x002) !== 0;
    const ackSet = (tcp.flags & 0x010) !== 0;
    let stream = this.#streams.get(key);
    if (stream) {
      const own = stream.opener === from ? stream.fromOpener : stream.toOpener;
      if (syn && !ackSet && own.baseSet && own.base !== tcp.seq) stream = undefined; // the ports were reused
    }
    if (!stream) {
      stream = { index: this.#next++, opener: from, fromOpener: { base: 0, baseSet: false }, toOpener: { base: 0, baseSet: false } };
      this.#streams.delete(key);
      if (this.#streams.size >= this.#maxStreams) {
        const oldest = this.#streams.keys().next();
        if (!oldest.done) this.#streams.delete(oldest.value);
      }
      this.#streams.set(key, stream);
    }
    const fromOpener = stream.opener === from;
    const own = fromOpener ? stream.fromOpener : stream.toOpener;
    const other = fromOpener ? stream.toOpener : stream.fromOpener;
    if (!own.baseSet) {
      own.base = syn ? tcp.seq : (tcp.seq - 1 + U32) % U32;
      own.baseSet = true;
    }
    if (ackSet && !other.baseSet) {
      other.base = (tcp.ack - 1 + U32) % U32;
      other.baseSet = true;
    }
    if (syn) own.scale = tcp.options.windowScale ?? null;
    const seq = rel(tcp.seq, own.base);
    const scaled = !syn && typeof own.scale === 'number' && typeof other.scale === 'number';
    const length = tcp.payloadLength + (syn ? 1 : 0) + (tcp.flags & 0x001 ? 1 : 0);
    const result: TcpRelative = {
      stream: stream.index,
      seq,
      ack: ackSet ? rel(tcp.ack, other.base) : null,
      nextSeq: (seq + length) % U32,
      fromOpener,
      window: scaled ? tcp.window * 2 ** Math.min(own.scale ?? 0, 14) : tcp.window,
    };
    if (tcp.options.sack && other.baseSet) result.sack = tcp.options.sack.map(([l, r]) => [rel(l, other.base), rel(r, other.base)]);
    return result;
  }

  /** Forgets every stream (a new capture). */
  clear(): void {
    this.#streams.clear();
    this.#next = 0;
  }
}
