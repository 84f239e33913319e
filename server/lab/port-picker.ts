/**
 * `bind` with port 0 normally lets the kernel pick an ephemeral port (32768-60999 on Linux), which is
 * outside the lab's range. So for port 0 the lab itself tries ports inside the range, each attempt a
 * real bind(), moving on after EADDRINUSE. One picker is shared by all sessions so they spread out;
 * across lab worker threads the cursor itself is shared (a SharedArrayBuffer moved with one atomic
 * add), so the workers sweep the range as one picker would instead of colliding with each other's
 * recent ports (TIME_WAIT).
 *
 * Each lab worker picks first in its own slice of the range (workerSlice), so that its one loopback
 * capture's kernel filter reads its own sessions' ports and not every worker's (issue 17, Bench: each
 * worker read and threw away the others' frames). Only when its slice has no free port after
 * MAX_ATTEMPTS binds does it try the whole range; the capture then reads that port too, as it does a
 * port a learner binds by number (server/capture/loopback.ts).
 */
import type { Endpoint } from '../protocol/index.ts';
import { EngineError, type EngineSocket } from '../engines/types.ts';

const MAX_ATTEMPTS = 64;

/**
 * Worker `index`'s part of `range` when `count` workers share it: contiguous, sizes differing by at
 * most one. Null (the whole range) for a single worker, or when a part would hold fewer than 10 ports.
 */
export function workerSlice(range: readonly [number, number], index: number, count: number): [number, number] | null {
  const size = range[1] - range[0] + 1;
  if (count <= 1 || index < 0 || index >= count || Math.floor(size / count) < 10) return null;
  return [range[0] + Math.floor((index * size) / count), range[0] + Math.floor(((index + 1) * size) / count) - 1];
}

export class PortPicker {
  private readonly cursor: Uint32Array;
  /**
   * `shared`: a cursor other threads' pickers share (PortPicker.sharedCursor). `slice`: this
   * thread's part of the range (workerSlice), tried first.
   */
  constructor(
    private readonly range: [number, number],
    shared?: SharedArrayBuffer,
    private readonly slice: readonly [number, number] | null = null,
  ) {
    this.cursor = new Uint32Array(shared ?? PortPicker.sharedCursor());
  }

  /** A cursor for pickers on several threads, starting at a random place in the range. */
  static sharedCursor(): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(Uint32Array.BYTES_PER_ELEMENT);
    new Uint32Array(buffer)[0] = Math.floor(Math.random() * 65536);
    return buffer;
  }

  /** The port at the shared cursor, which moves on by `step` for the next bind, here or on another thread. */
  private next(within: readonly [number, number], step: number): number {
    const size = within[1] - within[0] + 1;
    return within[0] + (Atomics.add(this.cursor, 0, step) % size);
  }

  async bindFree(sock: EngineSocket, address: string): Promise<Endpoint & { attempts: number }> {
    const sweeps = this.slice ? [this.slice, this.range] : [this.range];
    let attempt = 0;
    for (const within of sweeps) {
      const size = within[1] - within[0] + 1;
      const tries = Math.min(MAX_ATTEMPTS, size);
      // Ports are handed out in sweep order, so the ones still held lie in runs (a class's
      // listeners left open, another program's block): each failure doubles the step, so a run of
      // n held ports costs about log2(n) binds instead of n (64 in a row gave up: issue 17, Bench).
      let step = 1;
      for (let i = 0; i < tries; i++) {
        attempt++;
        try {
          const bound = await sock.bind(address, this.next(within, step));
          return { ...bound, attempts: attempt };
        } catch (e) {
          if (!(e instanceof EngineError && e.code === 'EADDRINUSE')) throw e;
          // Odd steps below the size, so the jumps do not fall into a cycle of held ports.
          step = Math.min(step * 2 + 1, Math.max(1, Math.floor(size / 2) | 1));
        }
      }
    }
    throw new EngineError('EADDRINUSE', `no free port in ${this.range[0]}-${this.range[1]} after ${attempt} binds`);
  }
}
