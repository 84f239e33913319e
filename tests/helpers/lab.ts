/** Test helpers: a real lab server on port 0, real WebSocket clients, and fd accounting. */
import { readdirSync } from 'node:fs';
import WebSocket from 'ws';
import { ConfigSchema, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import { LabClient, type ClientEvent } from '../../server/protocol/client.ts';
import type { Hello, KernelRow, Step } from '../../server/protocol/index.ts';

export async function startLab(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<RunningServer> {
  const config = ConfigSchema.parse({ port: 0, labOnly: true, quiet: true, commandsPerSecond: 1000, ...overrides });
  return startServer(config);
}

export interface Connected {
  client: LabClient;
  ws: WebSocket;
  hello: Hello;
  events: ClientEvent[];
  steps(): Step[];
  /** Resolves with the first event (already seen or future) that matches. */
  waitEvent<E extends ClientEvent>(match: (e: ClientEvent) => e is E, timeoutMs?: number): Promise<E>;
  waitEvent(match: (e: ClientEvent) => boolean, timeoutMs?: number): Promise<ClientEvent>;
}

/** `server`: a running server, or any port that leads to one (a proxy in front: `headers` may carry its cookie). */
export async function connect(server: Pick<RunningServer, 'port'>, opts: { watch?: string; origin?: string; student?: string; headers?: Record<string, string> } = {}): Promise<Connected> {
  const query = opts.watch ? `?watch=${encodeURIComponent(opts.watch)}` : opts.student ? `?student=${encodeURIComponent(opts.student)}` : '';
  const url = `ws://127.0.0.1:${server.port}/lab${query}`;
  const headers = { ...opts.headers, ...(opts.origin ? { origin: opts.origin } : {}) };
  const ws = new WebSocket(url, { headers });
  const client = new LabClient(ws as never);
  const events: ClientEvent[] = [];
  const waiters = new Set<{ match: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }>();
  client.on((e) => {
    events.push(e);
    for (const w of waiters) {
      if (w.match(e)) {
        waiters.delete(w);
        w.resolve(e);
      }
    }
  });
  const hello = await client.hello;
  return {
    client,
    ws,
    hello,
    events,
    steps: () => events.filter((e): e is Step => e.event === 'step'),
    waitEvent(match: (e: ClientEvent) => boolean, timeoutMs = 5000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<ClientEvent>((resolve, reject) => {
        const w = { match, resolve: (e: ClientEvent) => (clearTimeout(t), resolve(e)) };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for an event`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  } as Connected;
}

/** Open file descriptors of this process (the server runs in-process in these tests). */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Polls `check` until it holds; `what` (or what it returns at the deadline) names it in the failure. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what: string | (() => string) = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
}

/**
 * Text for a failure message, cut to `max` characters: a chat test's lines can be megabytes of
 * payload, and a message that size buries the point (and the runner's output).
 */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** `promise`, or a failure naming `what` after `ms`: a teardown that waits can never wait forever. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `op` and returns its result, failing the test with the error if the call failed. */
export async function ok<T>(p: Promise<{ ok: true; result: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r.result;
}

/** Calls `op` expecting failure; returns the error code. */
export async function errCode(p: Promise<{ ok: true } | { ok: false; error: { code: string } }>): Promise<string> {
  const r = await p;
  if (r.ok) throw new Error('expected an error, the call succeeded');
  return r.error.code;
}

export async function kernelRows(c: Connected): Promise<KernelRow[]> {
  const r = await ok(c.client.call('kernel', {}));
  return r.rows;
}

export const isStep = (e: ClientEvent): e is Step => e.event === 'step';
