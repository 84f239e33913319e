/** Reads the frames of a pcapng file (tests only): enough to feed fixtures to the decoder. */
import { readFileSync } from 'node:fs';
import { linkTypeOf, type LinkType } from '../../packets/index.ts';

export interface FileFrame {
  link: LinkType;
  interfaceName: string;
  data: Uint8Array;
  originalLength: number;
  /** Nanoseconds since the epoch (assuming the interface's if_tsresol, default microseconds). */
  timestampNs: bigint;
}

export function readPcapngFile(path: string): FileFrame[] {
  return readPcapng(new Uint8Array(readFileSync(path)));
}

export function readPcapng(bytes: Uint8Array): FileFrame[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const interfaces: Array<{ link: LinkType; name: string; unitsPerSecond: bigint }> = [];
  const frames: FileFrame[] = [];
  let at = 0;
  while (at + 12 <= bytes.length) {
    const type = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    if (length < 12 || at + length > bytes.length || view.getUint32(at + length - 4, true) !== length) {
      throw new Error(`bad block at byte ${at}`);
    }
    if (type === 0x0a0d0d0a) {
      if (view.getUint32(at + 8, true) !== 0x1a2b3c4d) throw new Error('not a little-endian pcapng section');
      interfaces.length = 0;
    } else if (type === 1) {
      const linkNumber = view.getUint16(at + 8, true);
      const link = linkTypeOf(linkNumber);
      if (!link) throw new Error(`link type ${linkNumber} is not one the decoder reads`);
      let name = '';
      let unitsPerSecond = 1_000_000n;
      for (let o = at + 16; o + 4 <= at + length - 4; ) {
        const code = view.getUint16(o, true);
        const len = view.getUint16(o + 2, true);
        if (code === 0) break;
        if (code === 2) name = new TextDecoder().decode(bytes.subarray(o + 4, o + 4 + len));
        if (code === 9) {
          const r = bytes[o + 4];
          unitsPerSecond = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
        }
        o += 4 + ((len + 3) & ~3);
      }
      interfaces.push({ link, name, unitsPerSecond });
    } else if (type === 6) {
      const iface = interfaces[view.getUint32(at + 8, true)];
      if (!iface) throw new Error(`packet for an undeclared interface at byte ${at}`);
      const ticks = (BigInt(view.getUint32(at + 12, true)) << 32n) | BigInt(view.getUint32(at + 16, true));
      const captured = view.getUint32(at + 20, true);
      frames.push({
        link: iface.link,
        interfaceName: iface.name,
        data: bytes.slice(at + 28, at + 28 + captured),
        originalLength: view.getUint32(at + 24, true),
        timestampNs: (ticks * 1_000_000_000n) / iface.unitsPerSecond,
      });
    }
    at += length;
  }
  return frames;
}
