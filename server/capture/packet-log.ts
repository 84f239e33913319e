/**
 * A session's packets, ready for the protocol: each captured frame gets a number, its summary
 * (with relative TCP numbers, from one tracker per session), and the step that caused it; the
 * whole log becomes a pcapng file on request. Holds only what the captures delivered, so its size
 * is bounded by their FrameBudget.
 */
import { decodeFrame, PcapngWriter, summarize, TcpTracker, type DecodedFrame } from '../../packets/index.ts';
import type { CapturedFrame } from './capture.ts';
import { DEFAULT_SNAPLEN } from './capture.ts';

export interface PacketEntry {
  /** 1, 2, 3... in the order frames were captured. */
  seq: number;
  link: string;
  timestampNs: bigint;
  data: Uint8Array;
  originalLength: number;
  direction: 'in' | 'out';
  summary: string;
  /** The id of the step whose call sent the packet, where one did. */
  cause?: string | number;
  /** Shown as the packet's comment in the pcapng file, e.g. "step 12: connect s1". */
  causeLabel?: string;
}

export class PacketLog {
  readonly #entries: PacketEntry[] = [];
  readonly #tracker = new TcpTracker();
  readonly #links = new Map<string, number>();

  /** The snap length the captures were opened with (written into the file's interface blocks). */
  constructor(readonly snaplen: number = DEFAULT_SNAPLEN) {}

  /** `decoded`: the frame already decoded without detail (the loopback capture sorts by it). */
  add(frame: CapturedFrame, cause?: { id: string | number; label?: string }, decoded?: DecodedFrame): PacketEntry {
    decoded ??= decodeFrame(frame.data, 'ethernet', { detail: false, originalLength: frame.originalLength });
    const entry: PacketEntry = {
      seq: this.#entries.length + 1,
      link: frame.link,
      timestampNs: frame.timestampNs,
      data: frame.data,
      originalLength: frame.originalLength,
      direction: frame.direction,
      summary: summarize(decoded, this.#tracker.track(decoded.facts)),
    };
    if (cause) {
      entry.cause = cause.id;
      if (cause.label) entry.causeLabel = cause.label;
    }
    if (!this.#links.has(frame.link)) this.#links.set(frame.link, this.#links.size);
    this.#entries.push(entry);
    return entry;
  }

  get size(): number {
    return this.#entries.length;
  }

  entries(): readonly PacketEntry[] {
    return this.#entries;
  }

  /** The log as a pcapng file: one interface per link (in order of first packet), nanosecond timestamps. */
  pcapng(links?: readonly string[]): Uint8Array {
    const writer = new PcapngWriter({ comment: 'Socket Lab session capture' });
    const ids = new Map<string, number>();
    for (const link of this.#links.keys()) {
      if (links && !links.includes(link)) continue;
      ids.set(link, writer.addInterface({ name: link, linkType: 'ethernet', snaplen: this.snaplen, resolution: 'ns' }));
    }
    for (const e of this.#entries) {
      const id = ids.get(e.link);
      if (id === undefined) continue;
      writer.addPacket({ interfaceId: id, timestampNs: e.timestampNs, data: e.data, originalLength: e.originalLength, direction: e.direction, comment: e.causeLabel });
    }
    return writer.toBytes();
  }

  clear(): void {
    this.#entries.length = 0;
    this.#links.clear();
    this.#tracker.clear();
  }
}
