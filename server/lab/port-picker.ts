/**
 * `bind` with port 0 normally lets the kernel pick an ephemeral port (32768-60999 on Linux), which is
 * outside the lab's range. So for port 0 the lab itself tries ports inside the range, each attempt a
 * real bind(), moving on after EADDRINUSE. One picker is shared by all sessions so they spread out;
 * across lab worker threads the cursor itself is shared (a SharedArrayBuffer moved with one atomic
 * add), so the workers sweep the range as one picker would instead of colliding with each other's
 * recent ports (TIME_WAIT).
 */
import type { Endpoint } from '../protocol/index.ts';
import { EngineError, type EngineSocket } from '../engines/types.ts';

const MAX_ATTEMPTS = 64;

export class PortPicker {
  private readonly cursor: Uint32Array;
  /** `shared`: a cursor other threads' pickers share (PortPicker.sharedCursor). */
  constructor(
    private readonly range: [number, number],
    shared?: SharedArrayBuffer,
  ) {
    this.cursor = new Uint32Array(shared ?? PortPicker.sharedCursor());
  }

  /** A cursor for pickers on several threads, starting at a random place in the range. */
  static sharedCursor(): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(Uint32Array.BYTES_PER_ELEMENT);
    new Uint32Array(buffer)[0] = Math.floor(Math.random() * 65536);
    return buffer;
  }

  private next(): number {
    const size = this.range[1] - this.range[0] + 1;
    return this.range[0] + (Atomics.add(this.cursor, 0, 1) % size);
  }

  async bindFree(sock: EngineSocket, address: string): Promise<Endpoint & { attempts: number }> {
    const tries = Math.min(MAX_ATTEMPTS, this.range[1] - this.range[0] + 1);
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        const bound = await sock.bind(address, this.next());
        return { ...bound, attempts: attempt };
      } catch (e) {
        if (e instanceof EngineError && e.code === 'EADDRINUSE') continue;
        throw e;
      }
    }
    throw new EngineError('EADDRINUSE', `no free port in ${this.range[0]}-${this.range[1]} after ${tries} binds`);
  }
}
