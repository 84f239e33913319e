/**
 * A lab worker's output for one turn of its loop, as the bytes the front writes. Each message is
 * framed here as a WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as a server's frames
 * are), a connection's frames are laid out back to back, and the whole turn travels to the front in
 * one ArrayBuffer that is transferred, not copied. The front then writes each connection's span with
 * one `write` on its TCP socket (server/front/ws-transport.ts).
 *
 * Why not strings: a string crossing threads is copied twice (structured clone out and in), then
 * the front encoded it to UTF-8 and ws framed it and wrote header and payload as two chunks. Here the
 * text is encoded once, in the worker, straight into the buffer that reaches the socket, and the front
 * does no per-message work at all (docs/architecture.md, "What a lab call costs the server").
 */

/** One turn's output: `spans` holds (connection, start, end) triples into `bytes`, one per connection. */
export interface OutBatch {
  bytes: ArrayBuffer;
  spans: number[];
  /** Connections to close after their frames are written, in order: the last thing each gets. */
  closes: Array<[conn: number, code: number, reason: string]>;
}

/** Payloads up to 125 bytes have their length in the 2-byte header; up to 65535 a 16-bit one follows; past that 64 bits. */
function headerLength(payload: number): number {
  return payload <= 125 ? 2 : payload <= 0xffff ? 4 : 10;
}

function writeHeader(into: Buffer, at: number, payload: number): number {
  into[at] = 0x81; // FIN + text
  if (payload <= 125) {
    into[at + 1] = payload;
    return 2;
  }
  if (payload <= 0xffff) {
    into[at + 1] = 126;
    into.writeUInt16BE(payload, at + 2);
    return 4;
  }
  into[at + 1] = 127;
  into.writeBigUInt64BE(BigInt(payload), at + 2);
  return 10;
}

/** Collects a turn's messages per connection; `take` frames them all into one buffer. */
export class OutBatchBuilder {
  private byConn = new Map<number, string[]>();
  private closes: OutBatch['closes'] = [];

  get empty(): boolean {
    return this.byConn.size === 0 && this.closes.length === 0;
  }

  add(conn: number, text: string): void {
    const texts = this.byConn.get(conn);
    if (texts) texts.push(text);
    else this.byConn.set(conn, [text]);
  }

  /** The connection closes with this code once what was added for it is written. */
  close(conn: number, code: number, reason: string): void {
    this.closes.push([conn, code, reason]);
  }

  take(): OutBatch {
    let total = 0;
    const lengths: number[] = [];
    for (const texts of this.byConn.values()) {
      for (const text of texts) {
        const n = Buffer.byteLength(text, 'utf8');
        lengths.push(n);
        total += headerLength(n) + n;
      }
    }
    // Not from Buffer's shared pool: this ArrayBuffer is the batch's alone, so it can be transferred.
    const out = Buffer.allocUnsafeSlow(total);
    const spans: number[] = [];
    let at = 0;
    let i = 0;
    for (const [conn, texts] of this.byConn) {
      const start = at;
      for (const text of texts) {
        const n = lengths[i++]!;
        at += writeHeader(out, at, n);
        at += out.write(text, at, n, 'utf8');
      }
      spans.push(conn, start, at);
    }
    const batch: OutBatch = { bytes: out.buffer as ArrayBuffer, spans, closes: this.closes };
    this.byConn = new Map();
    this.closes = [];
    return batch;
  }
}

/**
 * The texts of frames laid out by `OutBatchBuilder` (a viewer on the front with no WebSocket, and
 * the fallback when the TCP socket under a WebSocket cannot be reached, need the messages, not bytes).
 */
export function frameTexts(frames: Uint8Array): string[] {
  const buf = Buffer.from(frames.buffer, frames.byteOffset, frames.byteLength);
  const texts: string[] = [];
  let at = 0;
  while (at < buf.length) {
    const len7 = buf[at + 1]! & 0x7f;
    const [head, payload] = len7 === 126 ? [4, buf.readUInt16BE(at + 2)] : len7 === 127 ? [10, Number(buf.readBigUInt64BE(at + 2))] : [2, len7];
    texts.push(buf.toString('utf8', at + head, at + head + payload));
    at += head + payload;
  }
  return texts;
}
