/**
 * A load generator's lab client: the same frames as LabClient, without validating every event with
 * zod, so the benchmark machine's CPU goes to the server being measured rather than to the load.
 */
import WebSocket from 'ws';
import type { ArgsOf, Op } from '../../server/protocol/index.ts';

type Reply = { id: number; ok: true; result: Record<string, unknown> } | { id: number; ok: false; error: { code: string; message: string } };

export class LeanClient {
  closed = false;
  hello: Promise<Record<string, unknown>>;
  onEvent: ((e: Record<string, unknown>) => void) | null = null;
  private readonly pending = new Map<number, (r: Reply) => void>();
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    this.hello = new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if ('ok' in m) {
          const w = this.pending.get(m.id);
          if (w) {
            this.pending.delete(m.id);
            w(m);
          }
        } else if (m.event === 'hello') resolve(m);
        else this.onEvent?.(m);
      });
    });
    ws.on('close', () => {
      this.closed = true;
      for (const [id, w] of this.pending) w({ id, ok: false, error: { code: 'E_CANCELLED', message: 'closed' } });
    });
  }

  static async open(url: string): Promise<LeanClient> {
    const c = new LeanClient(new WebSocket(url));
    await c.hello;
    return c;
  }

  call<O extends Op>(op: O, args: ArgsOf<O>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, op, args }));
    });
  }

  /** Calls and returns the result, throwing the error code if the call failed. */
  async must<O extends Op>(op: O, args: ArgsOf<O>): Promise<Record<string, unknown>> {
    const r = await this.call(op, args);
    if (!r.ok) throw new Error(`${op}: ${r.error.code} ${r.error.message}`);
    return r.result;
  }

  close(): void {
    this.ws.close();
  }
}
