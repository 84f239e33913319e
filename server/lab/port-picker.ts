/**
 * `bind` with port 0 normally lets the kernel pick an ephemeral port (32768-60999 on Linux), which is
 * outside the lab's range. So for port 0 the lab itself tries ports inside the range, each attempt a
 * real bind(), moving on after EADDRINUSE. One picker is shared by all sessions so they spread out.
 */
import type { Endpoint } from '../protocol/index.ts';
import { EngineError, type EngineSocket } from '../engines/types.ts';

const MAX_ATTEMPTS = 64;

export class PortPicker {
  private cursor: number;
  constructor(private readonly range: [number, number]) {
    this.cursor = Math.floor(Math.random() * (range[1] - range[0] + 1));
  }

  private next(): number {
    const size = this.range[1] - this.range[0] + 1;
    const port = this.range[0] + (this.cursor % size);
    this.cursor = (this.cursor + 1) % size;
    return port;
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
