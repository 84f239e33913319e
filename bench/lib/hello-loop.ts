/**
 * The "hello conversation" a benchmark session loops: socket, bind, listen, socket, connect, accept,
 * send, recv, close ×3 — every call a real lab call over the WebSocket, each round trip timed.
 * With `kernel`, each step is followed by a `kernel` request, as the page does after every step.
 */
import type { ArgsOf, Op } from '../../server/protocol/index.ts';

/** Either client will do: the typed LabClient or the benchmarks' LeanClient. */
export interface Caller {
  readonly closed: boolean;
  call<O extends Op>(op: O, args: ArgsOf<O>): Promise<{ ok: true; result: unknown } | { ok: false; error: { code: string } }>;
}

export interface LoopStats {
  latencies: number[];
  errors: string[];
  loops: number;
  /** Round trips of the kernel view after each step, when asked for. */
  views?: number[];
}

/** A failed call: the conversation starts over. */
class StepFailed extends Error {}

/** One session's place in the hello conversation, a step at a time. */
export class HelloConversation {
  private step = 0;
  private srv = '';
  private port = 0;
  private cli = '';
  private conn = '';

  constructor(
    private readonly client: Caller,
    private readonly stats: LoopStats,
  ) {}

  /** Runs the next call (timed into `stats.latencies`); false when it failed (counted in `stats.errors`). */
  async next(): Promise<boolean> {
    try {
      await this.run();
      this.step = (this.step + 1) % 11;
      if (this.step === 0) this.stats.loops++;
      return true;
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e;
      await this.abandon();
      return false;
    }
  }

  /** Times one `kernel` request into `stats.views`. */
  async view(): Promise<void> {
    const t0 = performance.now();
    const r = await this.client.call('kernel', {});
    (this.stats.views ??= []).push(performance.now() - t0);
    if (!r.ok) this.stats.errors.push(`kernel: ${r.error.code}`);
  }

  private async call<O extends Op>(op: O, args: ArgsOf<O>): Promise<Record<string, unknown>> {
    const t0 = performance.now();
    const r = await this.client.call(op, args);
    this.stats.latencies.push(performance.now() - t0);
    if (!r.ok) {
      this.stats.errors.push(`${op}: ${r.error.code}`);
      throw new StepFailed(r.error.code);
    }
    return r.result as Record<string, unknown>;
  }

  private async run(): Promise<void> {
    switch (this.step) {
      case 0:
        this.srv = String((await this.call('socket', { type: 'tcp', actor: 'server' })).sock);
        return;
      case 1:
        this.port = Number((await this.call('bind', { sock: this.srv, address: '127.0.0.1', port: 0 })).port);
        return;
      case 2:
        await this.call('listen', { sock: this.srv });
        return;
      case 3:
        this.cli = String((await this.call('socket', { type: 'tcp', actor: 'client' })).sock);
        return;
      case 4:
        await this.call('connect', { sock: this.cli, address: '127.0.0.1', port: this.port });
        return;
      case 5:
        this.conn = String((await this.call('accept', { sock: this.srv })).sock);
        return;
      case 6:
        await this.call('send', { sock: this.cli, data: 'hello\n' });
        return;
      case 7:
        await this.call('recv', { sock: this.conn });
        return;
      case 8:
        await this.call('close', { sock: this.cli });
        return;
      case 9:
        await this.call('close', { sock: this.conn });
        return;
      default:
        await this.call('close', { sock: this.srv });
    }
  }

  /** Closes what this conversation opened (untimed) and starts it over. */
  private async abandon(): Promise<void> {
    const open = [this.srv, this.cli, this.conn].filter((s, i) => s && this.step > [0, 3, 5][i]!);
    this.step = 0;
    this.srv = this.cli = this.conn = '';
    if (this.client.closed) return;
    await Promise.all(open.map((sock) => this.client.call('close', { sock })));
  }
}

/** `opts.conversation`: go on with one a previous loop left (its sockets stay the same, none leak). */
export async function helloLoop(client: Caller, until: number, stats: LoopStats, pauseMs = 0, opts: { kernel?: boolean; conversation?: HelloConversation } = {}): Promise<void> {
  const conversation = opts.conversation ?? new HelloConversation(client, stats);
  while (Date.now() < until && !client.closed) {
    const ok = await conversation.next();
    if (ok && opts.kernel) await conversation.view();
    if (!ok) await new Promise((res) => setTimeout(res, 50));
    else if (pauseMs) await new Promise((res) => setTimeout(res, pauseMs));
  }
}
