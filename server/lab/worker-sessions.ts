/**
 * The lab sessions of one worker thread: what the hub did with a session before sessions moved off
 * the main thread. Frames arrive as text (the front has size-capped them and passed them through the
 * connection's frame gate); each is parsed in try/catch and schema-checked before dispatch, and bad
 * input gets an error reply with a stable code and never reaches a socket. Everything a session says
 * leaves framed for the WebSocket, addressed to a connection number, in one batch per turn of this
 * thread's loop (out-batch.ts).
 */
import * as z from 'zod/mini';
import { CommandIdSchema, CommandSchema, PROTOCOL, type CommandId, type NetworkSupport, type ServerMessage } from '../protocol/index.ts';
import { SessionCapture } from './session-capture.ts';
import { LabSession, type SessionDeps } from './session.ts';
import type { Step } from '../protocol/index.ts';
import { OutBatchBuilder } from './out-batch.ts';
import type { FromWorker, SessionLabel } from './worker-messages.ts';

// zod/mini carries no error messages of its own (so the browser's bundle stays small); the server
// answers a malformed command with the English one, as the full zod did.
z.config(z.locales.en());

/**
 * One event goes to many viewers (a presenter's class): serialize it once. A message with one
 * receiver (every reply, and the events of a session nobody watches) skips the cache: a WeakMap
 * entry per call costs more than the one stringify it would save.
 */
const encoded = new WeakMap<object, string>();
function encode(msg: ServerMessage, shared: boolean): string {
  if (!shared) return JSON.stringify(msg);
  let text = encoded.get(msg);
  if (text === undefined) {
    text = JSON.stringify(msg);
    encoded.set(msg, text);
  }
  return text;
}

export interface WorkerSessionsOptions {
  deps: SessionDeps;
  engineComposite: Record<string, string>;
  kernelView: 'netlink' | 'proc';
  networkSupport?: NetworkSupport;
  idleSeconds: number;
  /** `transfer`: ArrayBuffers that move to the front rather than being copied (the output's bytes). */
  post: (msg: FromWorker, transfer?: ArrayBuffer[]) => void;
  /** After each command and each session's end: the shared count of lab sockets catches up (fd-count.ts). */
  afterCommand?: () => void;
}

interface Held {
  session: LabSession;
  /** Connection number → detach, for the viewers attached from the front. */
  viewers: Map<number, () => void>;
}

export class WorkerSessions {
  private readonly sessions = new Map<number, Held>();
  private readonly out = new OutBatchBuilder();
  private steps: Array<[number, Step]> = [];
  private flushing = false;
  private readonly idleTimer: NodeJS.Timeout;

  constructor(private readonly opts: WorkerSessionsOptions) {
    this.idleTimer = setInterval(() => this.endIdleSessions(), Math.min(15_000, (opts.idleSeconds * 1000) / 4));
    this.idleTimer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  // ------------------------------------------------------------------ output, one batch per turn

  private emit(conn: number, text: string, close?: { code: number; reason: string }): void {
    this.out.add(conn, text);
    if (close) this.out.close(conn, close.code, close.reason);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.flushing = false;
    if (!this.out.empty) {
      const batch = this.out.take();
      this.opts.post({ t: 'out', batch }, [batch.bytes]);
    }
    if (this.steps.length) {
      const items = this.steps;
      this.steps = [];
      this.opts.post({ t: 'steps', items });
    }
  }

  private send(conn: number, msg: ServerMessage, shared = false): void {
    this.emit(conn, encode(msg, shared));
  }

  private hello(session: LabSession, role: 'owner' | 'viewer') {
    return {
      event: 'hello' as const,
      protocol: PROTOCOL,
      session: session.id,
      engine: this.opts.deps.engine.name,
      policy: this.opts.deps.policy.describe(),
      role,
      ...(role === 'owner' ? { watchToken: session.watchToken } : {}),
      composite: this.opts.engineComposite,
      kernelView: this.opts.kernelView,
      ...(this.opts.networkSupport ? { network: this.opts.networkSupport } : {}),
      ...(this.opts.deps.capture ? { capture: session.capture?.status() ?? SessionCapture.describe(this.opts.deps.capture) } : {}),
    };
  }

  // ------------------------------------------------------------------ what the front asks

  /** A new session for the connection numbered `key` (its owner). */
  open(key: number, label: SessionLabel, reportSteps: boolean): void {
    const session = new LabSession(this.opts.deps);
    this.sessions.set(key, { session, viewers: new Map() });
    this.relabel(key, label, reportSteps);
    session.attach((event) => {
      const text = encode(event, session.viewerCount > 1);
      if (event.event === 'bye') {
        this.emit(key, text, { code: 1000, reason: event.reason });
        this.forget(key);
      } else this.emit(key, text);
    });
    // Before the hello: the front learns the watch token before the owner can hand it to a viewer.
    this.opts.post({ t: 'opened', key, id: session.id, watchToken: session.watchToken });
    this.send(key, this.hello(session, 'owner'));
  }

  /** Sets the session's label, and whether its finished steps go to the front (class hosting's feed). */
  relabel(key: number, label: SessionLabel, reportSteps: boolean): void {
    const session = this.sessions.get(key)?.session;
    if (!session) return;
    session.label = label;
    session.onStep = reportSteps
      ? (step) => {
          this.steps.push([key, step]);
          this.scheduleFlush();
        }
      : null;
  }

  /** Attaches the connection `conn` as a read-only viewer; the front checked the token. */
  watch(key: number, conn: number): void {
    const held = this.sessions.get(key);
    if (!held || held.session.ended) {
      this.emit(conn, JSON.stringify({ id: null, ok: false, error: { code: 'E_NO_SOCKET', message: 'No live session to watch with that token.' } }), { code: 1008, reason: 'E_NO_SOCKET' });
      return;
    }
    const { session } = held;
    const detach = session.attach((event) => {
      const text = encode(event, session.viewerCount > 1);
      if (event.event === 'bye') this.emit(conn, text, { code: 1000, reason: 'session ended' });
      else this.emit(conn, text);
    }, 'viewer');
    held.viewers.set(conn, detach);
    this.send(conn, this.hello(session, 'viewer'));
  }

  unwatch(key: number, conn: number): void {
    const held = this.sessions.get(key);
    held?.viewers.get(conn)?.();
    held?.viewers.delete(conn);
  }

  /** The owner's connection closed. */
  close(key: number): void {
    this.sessions.get(key)?.session.end('closed', 'The connection to the lab closed.');
    this.forget(key);
  }

  end(keys: number[], reason: Parameters<LabSession['end']>[0], message: string): void {
    for (const key of keys) this.sessions.get(key)?.session.end(reason, message);
  }

  /** Ends every session (shutdown); their byes are in the next batch. */
  endAll(reason: Parameters<LabSession['end']>[0], message: string): void {
    for (const { session } of [...this.sessions.values()]) session.end(reason, message);
    clearInterval(this.idleTimer);
  }

  private forget(key: number): void {
    if (!this.sessions.delete(key)) return;
    this.opts.afterCommand?.();
    this.opts.post({ t: 'ended', key });
  }

  private endIdleSessions(): void {
    const limit = Date.now() - this.opts.idleSeconds * 1000;
    for (const { session } of [...this.sessions.values()]) {
      if (session.lastActivity < limit) session.end('idle', `No lab call for ${Math.round(this.opts.idleSeconds / 60)} minutes; the session was closed and its sockets released.`);
    }
  }

  // ------------------------------------------------------------------ frames

  async frame(key: number, text: string): Promise<void> {
    const held = this.sessions.get(key);
    if (!held || held.session.ended) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.send(key, { id: null, ok: false, error: { code: 'E_BAD_REQUEST', message: 'The frame is not valid JSON.' } });
      return;
    }
    const parsed = CommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      this.send(key, { id: idFromJson(json), ok: false, error: { code: 'E_BAD_REQUEST', message: `${where}${issue?.message ?? 'malformed command'}` } });
      return;
    }
    // The finished step and the reply leave in the same batch, so the front writes them at once.
    const result = await held.session.execute(parsed.data);
    this.send(key, result);
    this.opts.afterCommand?.();
  }
}

function idFromJson(json: unknown): CommandId | null {
  if (typeof json !== 'object' || json === null) return null;
  const r = CommandIdSchema.safeParse('id' in json ? json.id : undefined);
  return r.success ? r.data : null;
}
