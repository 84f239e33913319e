/**
 * The "hello conversation" a benchmark session loops: socket, bind, listen, socket, connect, accept,
 * send, recv, close ×3 — every call a real lab call over the WebSocket, each round trip timed.
 */
import type { ArgsOf, Op } from '../../server/protocol/index.ts';

/** Either client will do: the typed LabClient or the benchmarks' LeanClient. */
interface Caller {
  readonly closed: boolean;
  call<O extends Op>(op: O, args: ArgsOf<O>): Promise<{ ok: true; result: unknown } | { ok: false; error: { code: string } }>;
}

export interface LoopStats {
  latencies: number[];
  errors: string[];
  loops: number;
}

export async function helloLoop(client: Caller, until: number, stats: LoopStats, pauseMs = 0): Promise<void> {
  const call = async <O extends Op>(op: O, args: ArgsOf<O>) => {
    const t0 = performance.now();
    const r = await client.call(op, args);
    stats.latencies.push(performance.now() - t0);
    if (!r.ok) {
      stats.errors.push(`${op}: ${r.error.code}`);
      throw new Error(r.error.code);
    }
    if (pauseMs) await new Promise((res) => setTimeout(res, pauseMs));
    return r.result as Record<string, unknown>;
  };
  while (Date.now() < until) {
    try {
      const srv = String((await call('socket', { type: 'tcp', actor: 'server' })).sock);
      const port = Number((await call('bind', { sock: srv, address: '127.0.0.1', port: 0 })).port);
      await call('listen', { sock: srv });
      const cli = String((await call('socket', { type: 'tcp', actor: 'client' })).sock);
      await call('connect', { sock: cli, address: '127.0.0.1', port });
      const conn = String((await call('accept', { sock: srv })).sock);
      await call('send', { sock: cli, data: 'hello\n' });
      await call('recv', { sock: conn });
      await call('close', { sock: cli });
      await call('close', { sock: conn });
      await call('close', { sock: srv });
      stats.loops++;
    } catch {
      if (client.closed) return;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
