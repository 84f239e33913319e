/**
 * The class event bus: how the instances serving one class tell each other what changed
 * (class-events.ts). In-process by default: one instance is the whole class and nothing needs
 * telling. With `--redis redis://…`, Redis pub/sub on one channel per class; ioredis reconnects and
 * resubscribes by itself after Redis restarts. While Redis is down, publishing is skipped (never
 * queued without bound) and the hub says its view is partial; when it is back, the hub reloads the
 * class from the store, which holds every acknowledged write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { BusEnvelopeSchema, type ClassEvent } from './class-events.ts';

export interface BusHandlers {
  /** An event another instance published (never one of this instance's own). */
  event(e: ClassEvent, from: string): void;
  /** The bus went down (false) or came back (true). */
  status(up: boolean): void;
}

export interface ClassBus {
  /** This instance's name on the bus. */
  readonly instance: string;
  /** True when other instances may exist (Redis): presence and partial views matter. */
  readonly shared: boolean;
  /** False while the bus is unreachable. */
  readonly up: boolean;
  /** Starts delivering events for the class to `handlers`. */
  start(classId: string, handlers: BusHandlers): Promise<void>;
  /** Tells every other instance; dropped while the bus is down. */
  publish(e: ClassEvent): void;
  /**
   * Adds one wrong join code from the address to the current window's count, kept in Redis across
   * instances; returns that window's count, or null when there is no shared count (in-process, or
   * Redis is down).
   */
  wrongCode(address: string): Promise<number | null>;
  /** The count in the current window and the one before, without adding one. */
  wrongCodes(address: string): Promise<number | null>;
  /**
   * Takes the class-wide lease `name` for this instance, or keeps it if it already holds it, for
   * `ttlMs` from now, with `value` beside it: true when this instance holds it now, false when
   * another does, null when there is nobody to ask (in-process, or Redis is down).
   */
  hold(name: string, value: string, ttlMs: number): Promise<boolean | null>;
  /** Who holds the lease `name` and its value; null when nobody does (or Redis is down). */
  holder(name: string): Promise<{ instance: string; value: string } | null>;
  /** Gives the lease `name` up, if this instance holds it (another may take it at once). */
  release(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A class's name on the bus: stable across instances, and not the join code. */
export function classBusId(code: string, startedAt: number): string {
  return createHash('sha256').update(`${code}:${startedAt}`).digest('base64url').slice(0, 16);
}

/** One instance alone: nobody to tell. */
export class LocalBus implements ClassBus {
  readonly instance = 'local';
  readonly shared = false;
  readonly up = true;
  async start(): Promise<void> {}
  publish(): void {}
  async wrongCode(): Promise<number | null> {
    return null;
  }
  async wrongCodes(): Promise<number | null> {
    return null;
  }
  async hold(): Promise<boolean | null> {
    return null;
  }
  async holder(): Promise<{ instance: string; value: string } | null> {
    return null;
  }
  async release(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * Takes a lease that is free or already this instance's (KEYS[1]; ARGV: instance, value, ttl ms),
 * in one step so two instances cannot both take it. Stored as "<instance> <value>".
 */
const HOLD_SCRIPT = `local v = redis.call('get', KEYS[1])
if (not v) or string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ' ' then
  redis.call('set', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/** Deletes a lease only if this instance (ARGV[1]) holds it. */
const RELEASE_SCRIPT = `local v = redis.call('get', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ' ' then return redis.call('del', KEYS[1]) end
return 0`;

/** The window the shared wrong-code count runs over. */
export const WRONG_CODE_WINDOW_MS = 60_000;

export class RedisBus implements ClassBus {
  readonly instance = randomBytes(6).toString('base64url');
  readonly shared = true;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private channel = '';
  private prefix = '';
  private handlers: BusHandlers | null = null;
  private wasUp = false;
  /** Messages from the bus that did not parse (another version, or something else on the channel). */
  dropped = 0;

  constructor(url: string) {
    const options = {
      // Commands fail at once while Redis is down instead of piling up in memory.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      // Keep trying every second at most: a Redis restart is a pause, not the end.
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
      lazyConnect: true,
    };
    this.pub = new Redis(url, options);
    // The subscriber needs its subscribe to wait for the connection after a restart, so it keeps its queue.
    this.sub = new Redis(url, { ...options, enableOfflineQueue: true, enableAutoPipelining: false });
    for (const c of [this.pub, this.sub]) {
      c.on('error', () => {}); // reported through status changes; ioredis keeps reconnecting
      c.on('ready', () => this.checkStatus());
      c.on('close', () => this.checkStatus());
      c.on('end', () => this.checkStatus());
    }
  }

  get up(): boolean {
    return this.pub.status === 'ready' && this.sub.status === 'ready';
  }

  private checkStatus(): void {
    const up = this.up;
    if (up === this.wasUp) return;
    this.wasUp = up;
    this.handlers?.status(up);
  }

  async start(classId: string, handlers: BusHandlers): Promise<void> {
    this.channel = `socketlab:class:${classId}`;
    this.prefix = `socketlab:class:${classId}:`;
    this.sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let env;
      try {
        env = BusEnvelopeSchema.safeParse(JSON.parse(text));
      } catch {
        env = null;
      }
      if (!env?.success) {
        this.dropped++;
        return;
      }
      if (env.data.from !== this.instance) handlers.event(env.data.event, env.data.from);
    });
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
      await this.sub.subscribe(this.channel);
    } catch (e) {
      // At start Redis must answer: an instance that cannot reach the others should not look like the whole class.
      this.pub.disconnect();
      this.sub.disconnect();
      throw new Error(`class: cannot reach Redis (--redis): ${(e as Error).message}`);
    }
    // Told of changes only from here on: the first connection is not a "came back".
    this.wasUp = this.up;
    this.handlers = handlers;
  }

  publish(e: ClassEvent): void {
    if (this.pub.status !== 'ready') return;
    this.pub.publish(this.channel, JSON.stringify({ from: this.instance, event: e })).catch(() => {});
  }

  private windowKey(address: string, windowsAgo = 0): string {
    return `${this.prefix}wrong:${address}:${Math.floor(Date.now() / WRONG_CODE_WINDOW_MS) - windowsAgo}`;
  }

  async wrongCode(address: string): Promise<number | null> {
    if (this.pub.status !== 'ready') return null;
    const key = this.windowKey(address);
    try {
      const [[, n]] = (await this.pub.multi().incr(key).pexpire(key, 2 * WRONG_CODE_WINDOW_MS).exec()) as [[Error | null, number]];
      return n;
    } catch {
      return null;
    }
  }

  async wrongCodes(address: string): Promise<number | null> {
    if (this.pub.status !== 'ready') return null;
    try {
      // This window and the one before: a guesser gains nothing by straddling a window's edge.
      const counts = await this.pub.mget(this.windowKey(address), this.windowKey(address, 1));
      return counts.reduce((n, c) => n + Number(c ?? 0), 0);
    } catch {
      return null;
    }
  }

  async hold(name: string, value: string, ttlMs: number): Promise<boolean | null> {
    if (this.pub.status !== 'ready') return null;
    try {
      return (await this.pub.eval(HOLD_SCRIPT, 1, `${this.prefix}lease:${name}`, this.instance, value, String(ttlMs))) === 1;
    } catch {
      return null;
    }
  }

  async holder(name: string): Promise<{ instance: string; value: string } | null> {
    if (this.pub.status !== 'ready') return null;
    try {
      const v = await this.pub.get(`${this.prefix}lease:${name}`);
      const space = v?.indexOf(' ') ?? -1;
      return v && space > 0 ? { instance: v.slice(0, space), value: v.slice(space + 1) } : null;
    } catch {
      return null;
    }
  }

  async release(name: string): Promise<void> {
    if (this.pub.status !== 'ready') return;
    await this.pub.eval(RELEASE_SCRIPT, 1, `${this.prefix}lease:${name}`, this.instance).catch(() => {});
  }

  async close(): Promise<void> {
    this.handlers = null;
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

/** The bus `--redis` asks for: Redis when given a URL, else in-process. */
export function createClassBus(redisUrl: string | undefined): ClassBus {
  return redisUrl ? new RedisBus(redisUrl) : new LocalBus();
}
