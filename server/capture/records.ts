/** Reads the frame records captureRead() returns (layout in server/engines/native/src/capture.c). */

export interface FrameRecord {
  /** Offset of the frame's bytes in the records buffer, and how many were kept. */
  at: number;
  caplen: number;
  origlen: number;
  timestampNs: bigint;
  /** The kernel's packet type: 0 to this host, 1 broadcast, 2 multicast, 3 to another host, 4 sent by this host. */
  pktType: number;
  ifindex: number;
}

const HEADER = 28;

export function* frameRecords(buf: Uint8Array): Generator<FrameRecord> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let at = 0; at + HEADER <= buf.length; ) {
    const caplen = view.getUint32(at, true);
    const seconds = view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * 2 ** 32;
    yield {
      at: at + HEADER,
      caplen,
      origlen: view.getUint32(at + 4, true),
      timestampNs: BigInt(seconds) * 1_000_000_000n + BigInt(view.getUint32(at + 16, true)),
      pktType: buf[at + 20],
      ifindex: view.getUint32(at + 24, true),
    };
    at += HEADER + ((caplen + 3) & ~3);
  }
}
