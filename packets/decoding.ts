/**
 * The state of one frame's decoding: the bytes, the layers and fields found so far, and the rule
 * that keeps a malformed frame from ever throwing out of the decoder. A protocol decoder calls
 * need() before it reads; when the frame ends too early, need() throws FrameEnds, which only
 * decodeFrame() catches, marking the layer being read as truncated.
 */
import type { BitRange, Field, Layer, PacketFacts, Problem, ProblemKind, Protocol } from './types.ts';

export class FrameEnds extends Error {
  constructor(
    readonly what: string,
    /** 'frame': the captured bytes ran out; 'packet': a header runs past the end its IP length gives. */
    readonly where: 'frame' | 'packet',
  ) {
    super(what);
  }
}

export class Decoding {
  readonly layers: Layer[] = [];
  readonly facts: PacketFacts = {};
  /** Inside the packet an ICMP error quotes: its layers are marked, and facts are not taken from them. */
  quoting = false;
  /** The layer being read, where a cut or a malformed value is reported. */
  current: Layer | null = null;
  /** Where the enclosing packet ends (an IP packet's length, an ICMP message's end); reads stop there. */
  limit: number;
  #sink: Field[] | null = null;

  constructor(
    readonly bytes: Uint8Array,
    /** False: read only what summaries need (facts), no fields or explanations. */
    readonly detail: boolean,
    /** The frame's length on the wire, when the capture kept fewer bytes. */
    readonly originalLength: number = bytes.length,
  ) {
    this.limit = bytes.length;
  }

  /** Why a packet is missing bytes: the capture's snap length, or a frame that really is short. */
  shortBy(what: string, declared: number, present: number): string {
    if (this.originalLength > this.bytes.length) {
      return `The capture kept only the first ${this.bytes.length} of the frame's ${this.originalLength} bytes (its snap length), so ${what} is cut short.`;
    }
    return `${what[0].toUpperCase()}${what.slice(1)} should be ${declared} bytes long, but the frame holds only ${present} of them.`;
  }

  /** Starts a layer at `offset`; it reaches to the frame's end until finish() says otherwise. */
  begin(protocol: Protocol, label: string, offset: number): Layer {
    const layer: Layer = { protocol, label, offset, length: this.bytes.length - offset, fields: [] };
    if (this.quoting) layer.quoted = true;
    this.layers.push(layer);
    this.current = layer;
    this.#sink = layer.fields;
    return layer;
  }

  /** Sets the layer's extent: from its start up to `end` (clamped to the frame). */
  finish(layer: Layer, end: number): void {
    layer.length = Math.max(0, Math.min(end, this.bytes.length) - layer.offset);
  }

  /** Throws FrameEnds unless `n` bytes from `offset` are in the frame and inside the enclosing packet. */
  need(offset: number, n: number, what: string): void {
    if (offset + n > this.limit) throw new FrameEnds(what, this.limit < this.bytes.length ? 'packet' : 'frame');
  }

  has(offset: number, n: number): boolean {
    return offset + n <= this.limit;
  }

  /** Runs `read` with reads limited to `end` (and never past the current limit). */
  inside<T>(end: number, read: () => T): T {
    const saved = this.limit;
    this.limit = Math.min(end, saved);
    try {
      return read();
    } finally {
      this.limit = saved;
    }
  }

  u8(offset: number): number {
    return this.bytes[offset];
  }

  u16(offset: number): number {
    return (this.bytes[offset] << 8) | this.bytes[offset + 1];
  }

  u32(offset: number): number {
    return ((this.bytes[offset] << 24) | (this.bytes[offset + 1] << 16) | (this.bytes[offset + 2] << 8) | this.bytes[offset + 3]) >>> 0;
  }

  /** Marks the current layer (once) with a problem; decoding of later layers may go on. */
  flag(kind: ProblemKind, message: string): void {
    const layer = this.current;
    if (layer && !layer.problem) layer.problem = { kind, message } satisfies Problem;
  }

  /** Adds a field to the current layer (or group); null when only facts are being read. */
  field(key: string, label: string, offset: number, length: number, raw: number | string, value: string, explain: string, bits?: BitRange): Field | null {
    if (!this.detail || !this.#sink) return null;
    const f: Field = { key, label, offset, length, raw, value, explain };
    if (bits) f.bits = bits;
    this.#sink.push(f);
    return f;
  }

  /** The field added last at the current level: the parent for the fields that detail it. */
  lastField(): Field | null {
    return this.detail && this.#sink ? (this.#sink.at(-1) ?? null) : null;
  }

  /** Runs `fill` with new fields going under `parent` (a no-op parent when not in detail mode). */
  within(parent: Field | null, fill: () => void): void {
    if (!parent) {
      fill();
      return;
    }
    const saved = this.#sink;
    parent.children ??= [];
    this.#sink = parent.children;
    try {
      fill();
    } finally {
      this.#sink = saved;
    }
  }

  /** A numeric field read whole: `length` of 1, 2 or 4 bytes. */
  num(key: string, label: string, offset: number, length: 1 | 2 | 4, explain: string, show?: (n: number) => string): number {
    this.need(offset, length, label);
    const n = length === 1 ? this.u8(offset) : length === 2 ? this.u16(offset) : this.u32(offset);
    if (this.detail) this.field(key, label, offset, length, n, show ? show(n) : String(n), explain);
    return n;
  }

  /** A bit field inside the `length` bytes at `offset`, `bitOffset` bits from the first byte's top bit. */
  bitsOf(key: string, label: string, offset: number, length: 1 | 2 | 3 | 4, bitOffset: number, bitLength: number, explain: string, show?: (n: number) => string): number {
    this.need(offset, length, label);
    let whole = 0;
    for (let i = 0; i < length; i++) whole = whole * 256 + this.bytes[offset + i];
    const shift = length * 8 - bitOffset - bitLength;
    const n = Math.floor(whole / 2 ** shift) % 2 ** bitLength;
    if (this.detail) this.field(key, label, offset, length, n, show ? show(n) : String(n), explain, { offset: bitOffset, length: bitLength });
    return n;
  }
}

export const setOrNot = (n: number): string => (n ? 'set (1)' : 'not set (0)');
