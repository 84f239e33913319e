/**
 * A pcapng writer (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): one Section
 * Header Block, one Interface Description Block per link, one Enhanced Packet Block per frame, in
 * little-endian byte order. Wireshark, tshark and tcpdump read the result. Pure TypeScript, so it
 * runs in the server and in the browser alike.
 */
import { LINK_TYPES, type LinkType } from './types.ts';

export interface PcapngInterface {
  /** Shown by Wireshark as the interface name: `lo`, `lan`, `wan`. */
  name: string;
  linkType: LinkType;
  /** Bytes kept of each frame; longer frames are cut to this and keep their original length. */
  snaplen: number;
  /** Timestamp resolution written for this interface: nanoseconds (default) or microseconds. */
  resolution?: 'ns' | 'us';
  description?: string;
}

export interface PcapngPacket {
  /** The index addInterface() returned. */
  interfaceId: number;
  /** Nanoseconds since the Unix epoch (the kernel's timestamp of the frame). */
  timestampNs: bigint;
  data: Uint8Array;
  /** The frame's length on the wire, when `data` holds fewer bytes; defaults to data.length. */
  originalLength?: number;
  /** Sent or received, as the capturing host saw it (written as the epb_flags direction). */
  direction?: 'in' | 'out';
  /** A note Wireshark shows with the packet (e.g. which lab step caused it). */
  comment?: string;
}

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;

const utf8 = new TextEncoder();
const pad4 = (n: number) => (n + 3) & ~3;

interface Option {
  code: number;
  value: Uint8Array;
}

const textOption = (code: number, text: string): Option => ({ code, value: utf8.encode(text) });

function optionsLength(options: Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4;
}

/** Builds one block: type, total length, body, options, total length again. */
function block(type: number, bodyLength: number, options: Option[], fill: (view: DataView, bytes: Uint8Array, at: number) => void): Uint8Array {
  const total = 12 + pad4(bodyLength) + optionsLength(options);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  fill(view, bytes, 8);
  let at = 8 + pad4(bodyLength);
  if (options.length) {
    for (const o of options) {
      view.setUint16(at, o.code, true);
      view.setUint16(at + 2, o.value.length, true);
      bytes.set(o.value, at + 4);
      at += 4 + pad4(o.value.length);
    }
    view.setUint16(at, OPT_END, true);
    view.setUint16(at + 2, 0, true);
    at += 4;
  }
  view.setUint32(at, total, true);
  return bytes;
}

export class PcapngWriter {
  readonly #blocks: Uint8Array[] = [];
  readonly #interfaces: Array<Required<Pick<PcapngInterface, 'snaplen' | 'resolution'>>> = [];
  #length = 0;

  constructor(options: { application?: string; comment?: string } = {}) {
    const opts: Option[] = [];
    if (options.comment) opts.push(textOption(OPT_COMMENT, options.comment));
    opts.push(textOption(SHB_USERAPPL, options.application ?? 'Socket Lab'));
    this.#push(
      block(SHB, 16, opts, (view, _bytes, at) => {
        view.setUint32(at, BYTE_ORDER_MAGIC, true);
        view.setUint16(at + 4, 1, true); // major version
        view.setUint16(at + 6, 0, true); // minor version
        view.setBigInt64(at + 8, -1n, true); // section length: not given
      }),
    );
  }

  /** Adds an interface (a link) and returns its id for addPacket(). */
  addInterface(iface: PcapngInterface): number {
    if (!Number.isInteger(iface.snaplen) || iface.snaplen < 1 || iface.snaplen > 0x7fffffff) throw new RangeError('snaplen must be a positive integer');
    const resolution = iface.resolution ?? 'ns';
    const opts: Option[] = [textOption(IF_NAME, iface.name)];
    if (iface.description) opts.push(textOption(IF_DESCRIPTION, iface.description));
    opts.push({ code: IF_TSRESOL, value: Uint8Array.of(resolution === 'ns' ? 9 : 6) });
    this.#push(
      block(IDB, 8, opts, (view, _bytes, at) => {
        view.setUint16(at, LINK_TYPES[iface.linkType], true);
        view.setUint16(at + 2, 0, true);
        view.setUint32(at + 4, iface.snaplen, true);
      }),
    );
    this.#interfaces.push({ snaplen: iface.snaplen, resolution });
    return this.#interfaces.length - 1;
  }

  addPacket(packet: PcapngPacket): void {
    const iface = this.#interfaces[packet.interfaceId];
    if (!iface) throw new RangeError(`no interface ${packet.interfaceId}: call addInterface() first`);
    const captured = Math.min(packet.data.length, iface.snaplen);
    const original = Math.max(packet.originalLength ?? packet.data.length, captured);
    const ticks = iface.resolution === 'ns' ? packet.timestampNs : packet.timestampNs / 1000n;
    const opts: Option[] = [];
    if (packet.comment) opts.push(textOption(OPT_COMMENT, packet.comment));
    if (packet.direction) {
      const flags = new Uint8Array(4);
      new DataView(flags.buffer).setUint32(0, packet.direction === 'in' ? 1 : 2, true);
      opts.push({ code: EPB_FLAGS, value: flags });
    }
    this.#push(
      block(EPB, 20 + captured, opts, (view, bytes, at) => {
        view.setUint32(at, packet.interfaceId, true);
        view.setUint32(at + 4, Number((ticks >> 32n) & 0xffffffffn), true);
        view.setUint32(at + 8, Number(ticks & 0xffffffffn), true);
        view.setUint32(at + 12, captured, true);
        view.setUint32(at + 16, original, true);
        bytes.set(packet.data.subarray(0, captured), at + 20);
      }),
    );
  }

  /** Bytes written so far. */
  get byteLength(): number {
    return this.#length;
  }

  /** The whole file. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const b of this.#blocks) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  #push(b: Uint8Array): void {
    this.#blocks.push(b);
    this.#length += b.length;
  }
}
