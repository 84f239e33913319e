/**
 * Splits a TCP byte stream into lines: TCP keeps no message boundaries, so the chat protocol marks
 * them with "\n". Lines longer than the cap (not counting "\n" or "\r\n", as in the downloadable
 * servers) are reported once and skipped up to the next newline, so a peer cannot make the server
 * hold unbounded memory.
 */
export const MAX_LINE_BYTES = 4096;

export type LineEvent = { kind: 'line'; bytes: Buffer } | { kind: 'too-long' };

export class LineBuffer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(private readonly max = MAX_LINE_BYTES) {}

  /** Feeds bytes as they arrive; returns the complete lines (without "\n" or a trailing "\r"). */
  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, nl === -1 ? chunk.length : nl);
      if (!this.discarding) {
        // One byte of room beyond the cap: a "\r" before the "\n" ends the line and does not count.
        if (this.pendingBytes + piece.length > this.max + 1) {
          this.discarding = true;
          this.pending = [];
          this.pendingBytes = 0;
          out.push({ kind: 'too-long' });
        } else if (piece.length) {
          this.pending.push(piece);
          this.pendingBytes += piece.length;
        }
      }
      if (nl === -1) break;
      if (!this.discarding) {
        let line = Buffer.concat(this.pending);
        if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
        out.push(line.length > this.max ? { kind: 'too-long' } : { kind: 'line', bytes: line });
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = false;
      start = nl + 1;
    }
    return out;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The line as text, or null when it is not valid UTF-8. */
export function decodeUtf8(bytes: Buffer): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
