/**
 * The lab's worker threads, seen from the main thread: starting them, picking the least-loaded one
 * for a new session, asking them questions, replacing one that dies. A worker that exits without
 * being asked to (an uncaught exception, a crash in its code) takes only its own sessions: the hub
 * is told which (`onLost`), a fresh worker takes its place, and the addon's per-thread teardown has
 * closed its sockets; its sandbox helper dies with the thread (PR_SET_PDEATHSIG follows the thread).
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.ts';
import type { SandboxSupport } from '../sandbox/index.ts';
import { SharedFdCount } from './fd-count.ts';
import type { FromWorker, HelperStats, LoopbackCaptureStats, Question, SyscallClock, ToWorker, WorkerData } from './worker-messages.ts';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./worker-main.ts', import.meta.url).href;
/** A question a worker does not answer in this time is answered null (a worker busy dying). */
const ASK_MS = 5000;
const SHUTDOWN_MS = 5000;
/** A worker that dies this soon after it started is restarted only after RESTART_DELAY_MS. */
const RESTART_QUICK_MS = 5000;
const RESTART_DELAY_MS = 1000;

export interface PoolOptions {
  config: Config;
  lan: string | null;
  /** Lab sockets the whole process may hold, and their count shared by every thread (fd-count.ts). */
  fdBudget: number;
  fdBuffer: SharedArrayBuffer;
  /** The port picker's cursor, shared with the main thread's picker. */
  portCursor: SharedArrayBuffer;
}

/** What the front hears from a worker's sessions. */
export interface PoolListener {
  message(worker: LabWorker, msg: FromWorker): void;
  /** The worker died; `sessions` were its own. */
  lost(worker: LabWorker): void;
}

/** The part of the workers' sandboxes tests and the start line see. */
export interface PoolSandbox {
  stats(): Promise<HelperStats>;
  /** The first worker's helper (tests that follow one helper run with one worker). */
  helperPid(): Promise<number | null>;
  openShells(): Promise<number>;
}

export class LabWorker {
  /** Sessions the front has placed here and not yet seen end. */
  load = 0;
  private nextAsk = 1;
  private readonly asks = new Map<number, (value: unknown) => void>();
  stopping = false;
  /** The thread has exited. */
  dead = false;
  readonly startedAt = Date.now();
  ready: Promise<Extract<FromWorker, { t: 'ready' }>>;
  private closed: Promise<void>;
  private closedResolve!: () => void;

  constructor(
    readonly index: number,
    readonly thread: Worker,
    listener: PoolListener,
  ) {
    let readyResolve!: (m: Extract<FromWorker, { t: 'ready' }>) => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => ((readyResolve = resolve), (readyReject = reject)));
    this.closed = new Promise((resolve) => (this.closedResolve = resolve));
    thread.on('message', (msg: FromWorker) => {
      switch (msg.t) {
        case 'ready':
          return readyResolve(msg);
        case 'answer': {
          const done = this.asks.get(msg.id);
          this.asks.delete(msg.id);
          return done?.(msg.value);
        }
        case 'closed':
          return this.closedResolve();
        default:
          listener.message(this, msg);
      }
    });
    thread.on('error', (e) => {
      readyReject(e);
      if (!this.stopping) process.stderr.write(`lab worker ${index} failed: ${e.stack ?? e.message}\n`);
    });
    thread.on('exit', () => {
      this.dead = true;
      this.closedResolve();
      for (const done of this.asks.values()) done(null);
      this.asks.clear();
      if (!this.stopping) listener.lost(this);
    });
  }

  post(msg: ToWorker): void {
    this.thread.postMessage(msg);
  }

  ask<T>(q: Question): Promise<T | null> {
    const id = this.nextAsk++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.asks.delete(id);
        resolve(null);
      }, ASK_MS);
      this.asks.set(id, (v) => {
        clearTimeout(timer);
        resolve(v as T | null);
      });
      this.post({ t: 'ask', id, q });
    });
  }

  /** Ends its sessions (their byes go out first), closes its sockets and sandbox, then the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.post({ t: 'shutdown' });
    const timer = setTimeout(() => this.closedResolve(), SHUTDOWN_MS);
    await this.closed;
    clearTimeout(timer);
    await this.thread.terminate();
  }
}

export class WorkerPool {
  readonly workers: LabWorker[] = [];
  sandboxSupport!: SandboxSupport;
  kernelView!: 'netlink' | 'proc';
  private listener: PoolListener | null = null;
  private sitePort: number | null = null;
  private classChat: { address: string; port: number } | null = null;
  private closing = false;

  private constructor(private readonly opts: PoolOptions) {}

  /** Starts `config.workers` workers and waits until each has built its lab. */
  static async start(opts: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    const starting = Array.from({ length: opts.config.workers }, (_, i) => pool.spawn(i));
    try {
      const first = await Promise.all(starting.map((w) => w.ready));
      pool.sandboxSupport = first[0]!.sandboxSupport;
      pool.kernelView = first[0]!.kernelView;
    } catch (e) {
      await Promise.all(starting.map((w) => w.thread.terminate()));
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Where the workers' news goes (the hub, once it exists). */
  listen(listener: PoolListener): void {
    this.listener = listener;
  }

  private spawn(index: number): LabWorker {
    const { config } = this.opts;
    const data: WorkerData = {
      entry: ENTRY,
      // Each worker's sandbox helper holds its share of the networks.
      config: { ...config, sandboxNetworks: config.sandboxNetworks === 0 ? 0 : Math.ceil(config.sandboxNetworks / config.workers) },
      lan: this.opts.lan,
      fd: { budget: this.opts.fdBudget, buffer: this.opts.fdBuffer, slot: index + 2, portCursor: this.opts.portCursor },
      totalNetworks: config.sandboxNetworks,
    };
    const worker = new LabWorker(index, new Worker(BOOT, { workerData: data, name: `lab-worker-${index}` }), {
      message: (w, msg) => this.listener?.message(w, msg),
      lost: (w) => {
        // Its sockets were closed with it (the addon's teardown): its part of the count goes too.
        SharedFdCount.forget(this.opts.fdBuffer, w.index + 2);
        this.replace(w);
      },
    });
    this.workers[index] = worker;
    if (this.sitePort !== null) worker.post({ t: 'site-port', port: this.sitePort });
    if (this.classChat !== null) worker.post({ t: 'class-chat', chat: this.classChat });
    return worker;
  }

  private replace(dead: LabWorker): void {
    if (this.closing) return;
    this.listener?.lost(dead);
    // A worker that dies as it starts (a broken build, say) is not restarted in a tight loop.
    const delay = Date.now() - dead.startedAt < RESTART_QUICK_MS ? RESTART_DELAY_MS : 0;
    const timer = setTimeout(() => {
      if (this.closing) return;
      this.spawn(dead.index).ready.catch(() => {});
    }, delay);
    timer.unref();
  }

  /** The live worker with the fewest sessions (the first of equals). */
  leastLoaded(): LabWorker {
    let best: LabWorker | null = null;
    for (const w of this.workers) if (!w.dead && (best === null || w.load < best.load)) best = w;
    return best ?? this.workers[0]!;
  }

  /** The class chat's address, for every worker's connect rules (LabPolicy.classChat). */
  setClassChat(chat: { address: string; port: number } | null): void {
    this.classChat = chat;
    for (const w of this.workers) w.post({ t: 'class-chat', chat });
  }

  setSitePort(port: number): void {
    this.sitePort = port;
    for (const w of this.workers) w.post({ t: 'site-port', port });
  }

  private async askAll<T>(q: Question): Promise<T[]> {
    const answers = await Promise.all(this.workers.map((w) => w.ask<T>(q)));
    return answers.filter((a): a is Awaited<T> => a !== null) as T[];
  }

  /** Whether `from` → `to` is a connection of any worker's lab sockets (the upgrade guard). */
  async isConnection(from: { address: string; port: number }, to: { address: string; port: number }): Promise<boolean> {
    return (await this.askAll<boolean>({ q: 'is-connection', from, to })).some(Boolean);
  }

  async syscallClock(): Promise<SyscallClock> {
    const clocks = await this.askAll<SyscallClock>({ q: 'syscall-clock' });
    return clocks.reduce((a, c) => ({ ns: a.ns + c.ns, calls: a.calls + c.calls }), { ns: 0, calls: 0 });
  }

  /** Lab sockets the workers hold now. */
  async openFds(): Promise<number> {
    return (await this.askAll<number>({ q: 'open-fds' })).reduce((a, n) => a + n, 0);
  }

  /** Each worker's own shared loopback capture (docs/architecture.md, Threads): null where it has none. */
  loopbackCaptures(): Promise<Array<LoopbackCaptureStats | null>> {
    return Promise.all(this.workers.map((w) => w.ask<LoopbackCaptureStats>({ q: 'loopback-capture' })));
  }

  /** The workers' sandboxes as one: their helpers' figures summed. */
  get sandbox(): PoolSandbox | null {
    if (this.opts.config.sandboxNetworks === 0) return null;
    return {
      stats: async () => {
        const all = await this.askAll<HelperStats>({ q: 'sandbox-stats' });
        const sum = {} as Record<string, number>;
        for (const s of all) for (const [k, v] of Object.entries(s)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
        return sum as HelperStats;
      },
      helperPid: () => this.workers[0]!.ask<number>({ q: 'sandbox-helper' }),
      openShells: async () => (await this.askAll<number>({ q: 'open-shells' })).reduce((a, n) => a + n, 0),
    };
  }

  /** Test-only (SOCKETLAB_TEST_HOOKS=1 in the worker's environment, else ignored): the worker throws. */
  crashForTest(index: number): void {
    this.workers[index]?.post({ t: 'crash' });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.filter((w) => !w.dead).map((w) => w.stop()));
  }
}
