/**
 * The /lab WebSocket endpoint, on the main thread: admits connections (per-address cap; the host and
 * origin are checked before routing, in server/front/upgrade-guard.ts), gives each a session on the
 * least-loaded lab worker (server/lab/worker-pool.ts) or attaches it as a read-only viewer of one
 * (`/lab?watch=<token>`), and passes frames through the connection's frame gate before they cross to
 * the session's worker, where they are parsed and schema-checked (worker-sessions.ts). What a worker
 * sends back is already WebSocket frames, a connection's frames of one turn contiguous: the hub
 * writes each connection's with one write (out-batch.ts). A worker that dies takes only its own sessions: their connections get a `bye`
 * (reason `crashed`) and close with 1011, and the page reconnects to a fresh session.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { CommandIdSchema, type CommandId, type ServerEvent, type ServerMessage, type SessionEndReason, type Step } from '../protocol/index.ts';
import { clientAddress } from '../front/client-address.ts';
import { writeFrames } from '../front/ws-transport.ts';
import { frameTexts, type OutBatch } from './out-batch.ts';
import { FrameGate, leadingId } from './frame-gate.ts';
import type { LabPolicy } from './policy.ts';
import type { LabSession } from './session.ts';
import type { FromWorker, SessionLabel } from './worker-messages.ts';
import type { LabWorker, WorkerPool } from './worker-pool.ts';

/** How long an address whose connection was closed for flooding gets no burst allowance. */
const FLOOD_MEMORY_MS = 30_000;
const FLOOD_MESSAGE = 'Frames are arriving faster than this session may send them; slow down.';

/** Commands are small JSON objects; the largest is a send of `maxSendBytes`, escaped. */
export const MAX_FRAME_BYTES = 512 * 1024;
/** A client that stops reading its events is dropped before it can pin this much memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

const CRASH_MESSAGE = 'The lab worker running this session stopped unexpectedly. Reconnecting starts a fresh session; its sockets were closed.';

export interface HubOptions {
  pool: WorkerPool;
  policy: LabPolicy;
  sessionsPerAddress: number;
  heartbeatSeconds: number;
  /** Lets class hosting tag a new session from its URL (`/lab?student=<token>`). */
  onSessionOpen?: (session: SessionHandle, url: URL) => void;
  /** A session on another instance that may be watched here (class hosting over Redis: the presenter's). */
  remoteSession?: (watchToken: string) => WatchableSession | undefined;
  /** The viewer's hello for such a session (what the workers' hello says of this server). */
  remoteHello?: (session: WatchableSession) => ServerMessage;
}

/**
 * A session as the main thread knows it: where it lives, and class hosting's tag. The session
 * itself (its sockets, its network) is on `worker`.
 */
export interface SessionHandle {
  label: SessionLabel;
  /** Called with every finished step (class hosting feeds the instructor's dashboard). */
  onStep: ((step: Step) => void) | null;
  /**
   * Tells the session's worker the label and whether to report steps, when they were set after the
   * session opened (a student the class store had to be asked about).
   */
  changed(): void;
}

/** A live session seen from the main thread once its worker has reported it (its id and watch token). */
export interface LiveSession extends SessionHandle {
  readonly id: string;
  readonly watchToken: string;
  /** Receives the session's events as a viewer does (class hosting publishes the presenter's over Redis); returns the detach. */
  attach(listener: (event: ServerEvent) => void, role: 'viewer'): () => void;
}

interface SessionRef extends SessionHandle {
  /** Also the owner connection's number. */
  readonly key: number;
  readonly worker: LabWorker;
  id?: string;
  watchToken?: string;
  readonly viewers: Set<number>;
  gone: boolean;
}

/**
 * What a read-only viewer needs of a session mirrored from another instance. It lives on the main
 * thread (the class hub keeps it from Redis), so its viewers are served here, not by a worker.
 */
export type WatchableSession = Pick<LabSession, 'id' | 'watchToken' | 'ended' | 'attach' | 'viewerCount'> & Partial<Pick<LabSession, 'capture'>>;

interface Client {
  ws: WebSocket;
  alive: boolean;
}

export class LabHub {
  /**
   * allowSynchronousEvents: false makes ws hand over one frame per turn of the event loop, so a
   * burst of thousands of frames from one client interleaves with everyone else's instead of being
   * dispatched in one long synchronous run.
   */
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, allowSynchronousEvents: false });
  private readonly sessions = new Map<number, SessionRef>();
  private readonly byWatchToken = new Map<string, SessionRef>();
  /** Every connection by number: a session's owner (its key) or a viewer. */
  private readonly conns = new Map<number, WebSocket>();
  /** Viewers on this thread without a WebSocket (attachSink), by connection number. */
  private readonly sinks = new Map<number, (text: string) => void>();
  private nextConn = 1;
  private readonly perAddress = new Map<string, number>();
  /** When a connection from each address was last closed for flooding (see gateFor). */
  private readonly floodedAt = new Map<string, number>();
  private readonly clients = new Set<Client>();
  private readonly timers: NodeJS.Timeout[];
  /** Frames waiting for this turn's one postMessage to their worker. */
  private readonly pending = new Map<LabWorker, Array<[number, string]>>();
  private flushScheduled = false;

  constructor(private readonly opts: HubOptions) {
    opts.pool.listen({ message: (w, msg) => this.fromWorker(w, msg), lost: (w) => this.lost(w) });
    this.timers = [
      setInterval(() => this.heartbeat(), opts.heartbeatSeconds * 1000),
      setInterval(() => this.forgetFloods(), 15_000),
    ];
    for (const t of this.timers) t.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  get workerCount(): number {
    return this.opts.pool.size;
  }

  /** Looks a session up by its watch token (class hosting: the presenter's session). */
  sessionByWatchToken(token: string): LiveSession | undefined {
    const ref = this.byWatchToken.get(token);
    if (!ref?.id || !ref.watchToken) return undefined;
    const { id, watchToken } = ref;
    return Object.assign(ref, { id, watchToken, attach: (listener: (event: ServerEvent) => void) => this.attachSink(ref, listener) });
  }

  /**
   * A viewer on this thread with no WebSocket: the worker addresses the session's events to a
   * connection number that is a listener here. The worker's hello to a new viewer is not an event
   * of the session, so it is not passed on.
   */
  private attachSink(ref: SessionRef, listener: (event: ServerEvent) => void): () => void {
    const conn = this.nextConn++;
    this.sinks.set(conn, (text) => {
      const event = JSON.parse(text) as ServerMessage;
      if ('event' in event && event.event !== 'hello') listener(event as ServerEvent);
    });
    ref.viewers.add(conn);
    ref.worker.post({ t: 'watch', key: ref.key, conn });
    return () => {
      if (!this.sinks.delete(conn)) return;
      ref.viewers.delete(conn);
      if (!ref.gone) ref.worker.post({ t: 'unwatch', key: ref.key, conn });
    };
  }

  /** Which worker holds the session of this id (tests and the bench; -1 when none). */
  workerOf(sessionId: string): number {
    for (const ref of this.sessions.values()) if (ref.id === sessionId) return ref.worker.index;
    return -1;
  }

  /** Ends every session the predicate picks (class hosting: ending the class). */
  endSessions(pick: (s: SessionHandle) => boolean, message: string): void {
    this.endWhere(pick, 'ended', message);
  }

  private endWhere(pick: (s: SessionRef) => boolean, reason: SessionEndReason, message: string): void {
    const byWorker = new Map<LabWorker, number[]>();
    for (const ref of this.sessions.values()) {
      if (!pick(ref)) continue;
      const keys = byWorker.get(ref.worker) ?? [];
      keys.push(ref.key);
      byWorker.set(ref.worker, keys);
    }
    for (const [worker, keys] of byWorker) worker.post({ t: 'end', keys, reason, message });
  }

  /** The upgrade was admitted already (server/front/upgrade-guard.ts: host, origin, not a lab socket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const watch = url.searchParams.get('watch');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client = clientKey(clientAddress(req));
      if (watch !== null) this.attachViewer(ws, watch, client);
      else this.openSession(ws, client, url);
    });
  }

  private track(ws: WebSocket): Client {
    const client: Client = { ws, alive: true };
    this.clients.add(client);
    ws.on('pong', () => (client.alive = true));
    // ws answers protocol errors itself with the right close code (1009 for a frame over the cap),
    // keeps reading and dropping the rest of the frame, and closes with a handshake; terminating here
    // would reset the connection while a browser is still uploading, and it would report 1006.
    ws.on('error', () => {});
    ws.on('close', () => this.clients.delete(client));
    return client;
  }

  /** Open, and reading its events: a client that stopped reading is dropped before it pins memory. */
  private writable(ws: WebSocket): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return false;
    }
    return true;
  }

  private sendText(ws: WebSocket, text: string): void {
    if (this.writable(ws)) ws.send(text);
  }

  private send(ws: WebSocket, msg: ServerMessage): void {
    this.sendText(ws, JSON.stringify(msg));
  }

  /** Counts a connection against its address's quota (sessions and viewers alike), or refuses it. */
  private claim(ws: WebSocket, address: string): boolean {
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.opts.sessionsPerAddress) {
      this.send(ws, { id: null, ok: false, error: { code: 'E_LIMIT', message: `At most ${this.opts.sessionsPerAddress} lab sessions per address; close another tab first.` } });
      ws.close(1008, 'E_LIMIT');
      return false;
    }
    this.perAddress.set(address, count + 1);
    ws.on('close', () => this.release(address));
    return true;
  }

  private release(address: string): void {
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }

  private openSession(ws: WebSocket, address: string, url: URL): void {
    this.track(ws);
    if (!this.claim(ws, address)) return;
    const worker = this.opts.pool.leastLoaded();
    if (worker.dead) {
      // Every worker is down and being replaced (a second or so): the page reconnects on a close.
      ws.close(1013, 'lab restarting');
      return;
    }
    const key = this.nextConn++;
    const ref: SessionRef = {
      key,
      worker,
      label: {},
      onStep: null,
      viewers: new Set(),
      gone: false,
      changed: () => {
        if (!ref.gone) ref.worker.post({ t: 'label', key, label: ref.label, reportSteps: ref.onStep !== null });
      },
    };
    this.opts.onSessionOpen?.(ref, url);
    worker.load++;
    this.sessions.set(key, ref);
    this.conns.set(key, ws);
    worker.post({ t: 'open', key, label: ref.label, reportSteps: ref.onStep !== null });

    const gate = this.gateFor(address);
    ws.on('message', (data, isBinary) => {
      if (!this.passGate(ws, gate, data as Buffer, address)) return;
      if (isBinary) {
        this.send(ws, { id: null, ok: false, error: { code: 'E_BAD_REQUEST', message: 'Send commands as JSON text frames.' } });
        return;
      }
      if (ref.gone) return;
      this.queue(ref.worker, key, (data as Buffer).toString('utf8'));
    });
    ws.on('close', () => {
      this.conns.delete(key);
      if (ref.gone) return;
      ref.worker.post({ t: 'close', key });
      this.forget(ref);
    });
  }

  /** A viewer of another instance's session (mirrored on this thread): served here, as on one thread. */
  private attachRemoteViewer(ws: WebSocket, session: WatchableSession, address: string): void {
    const detach = session.attach((event) => {
      this.send(ws, event);
      if (event.event === 'bye') ws.close(1000, 'session ended');
    }, 'viewer');
    this.send(ws, this.opts.remoteHello!(session));
    const gate = this.gateFor(address);
    ws.on('message', (data) => {
      if (!this.passGate(ws, gate, data as Buffer, address)) return;
      const id = idOf(data as Buffer);
      this.send(ws, { id, ok: false, error: { code: 'E_POLICY', message: 'This is a read-only view of another session.' } });
    });
    ws.on('close', detach);
  }

  private attachViewer(ws: WebSocket, token: string, address: string): void {
    this.track(ws);
    if (!this.claim(ws, address)) return;
    const ref = this.byWatchToken.get(token);
    const remote = ref ? undefined : this.opts.remoteSession?.(token);
    if (remote && !remote.ended) return this.attachRemoteViewer(ws, remote, address);
    if (!ref || ref.gone) {
      this.send(ws, { id: null, ok: false, error: { code: 'E_NO_SOCKET', message: 'No live session to watch with that token.' } });
      ws.close(1008, 'E_NO_SOCKET');
      return;
    }
    const conn = this.nextConn++;
    this.conns.set(conn, ws);
    ref.viewers.add(conn);
    ref.worker.post({ t: 'watch', key: ref.key, conn });
    const gate = this.gateFor(address);
    ws.on('message', (data) => {
      if (!this.passGate(ws, gate, data as Buffer, address)) return;
      const id = idOf(data as Buffer);
      this.send(ws, { id, ok: false, error: { code: 'E_POLICY', message: 'This is a read-only view of another session.' } });
    });
    ws.on('close', () => {
      this.conns.delete(conn);
      ref.viewers.delete(conn);
      if (!ref.gone) ref.worker.post({ t: 'unwatch', key: ref.key, conn });
    });
  }

  /** A connection's frame gate; smaller at first for an address just closed for flooding. */
  private gateFor(address: string): FrameGate {
    const flooded = this.floodedAt.get(address);
    const recent = flooded !== undefined && Date.now() - flooded < FLOOD_MEMORY_MS;
    return FrameGate.forSession(this.opts.policy.limits.commandsPerSecond, recent);
  }

  /** The cheap check before any parsing: false when the frame is refused (or the client closed for flooding). */
  private passGate(ws: WebSocket, gate: FrameGate, data: Buffer, address: string): boolean {
    if (ws.readyState !== ws.OPEN) return false; // closing: frames still buffered are dropped unread
    const verdict = gate.admit(data.length);
    if (verdict === 'pass') return true;
    if (verdict === 'refuse') {
      this.send(ws, { id: leadingId(data), ok: false, error: { code: 'E_LIMIT', message: FLOOD_MESSAGE } });
    } else {
      this.send(ws, { id: null, ok: false, error: { code: 'E_LIMIT', message: 'Too many frames after being told to slow down: closing this connection.' } });
      ws.close(1008, 'E_LIMIT');
      this.floodedAt.set(address, Date.now());
    }
    return false;
  }

  // ------------------------------------------------------------------ to and from the workers

  /** Frames of one turn cross to each worker in one postMessage. */
  private queue(worker: LabWorker, key: number, text: string): void {
    let items = this.pending.get(worker);
    if (!items) this.pending.set(worker, (items = []));
    items.push([key, text]);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushFrames());
  }

  private flushFrames(): void {
    this.flushScheduled = false;
    for (const [worker, items] of this.pending) worker.post({ t: 'frames', items });
    this.pending.clear();
  }

  private fromWorker(worker: LabWorker, msg: FromWorker): void {
    switch (msg.t) {
      case 'out':
        return this.write(msg.batch);
      case 'opened': {
        const ref = this.sessions.get(msg.key);
        if (!ref || ref.worker !== worker) return;
        ref.id = msg.id;
        ref.watchToken = msg.watchToken;
        this.byWatchToken.set(msg.watchToken, ref);
        return;
      }
      case 'ended': {
        const ref = this.sessions.get(msg.key);
        if (ref && ref.worker === worker) this.forget(ref);
        return;
      }
      case 'steps':
        for (const [key, step] of msg.items) this.sessions.get(key)?.onStep?.(step);
        return;
    }
  }

  /** One turn's output from a worker: each connection's frames in one write, so a step and its reply leave in one segment. */
  private write({ bytes, spans, closes }: OutBatch): void {
    const all = Buffer.from(bytes);
    for (let i = 0; i < spans.length; i += 3) {
      const conn = spans[i]!;
      const frames = all.subarray(spans[i + 1], spans[i + 2]);
      const ws = this.conns.get(conn);
      if (ws) {
        if (this.writable(ws)) writeFrames(ws, frames);
        continue;
      }
      const sink = this.sinks.get(conn);
      if (sink) for (const text of frameTexts(frames)) sink(text);
    }
    for (const [conn, code, reason] of closes) {
      this.sinks.delete(conn);
      this.conns.get(conn)?.close(code, reason);
    }
  }

  /** A worker died: its sessions are gone with their sockets; tell their connections and close them. */
  private lost(worker: LabWorker): void {
    const bye = JSON.stringify({ event: 'bye', reason: 'crashed', message: CRASH_MESSAGE } satisfies ServerMessage);
    this.pending.delete(worker);
    for (const ref of [...this.sessions.values()]) {
      if (ref.worker !== worker) continue;
      this.forget(ref);
      for (const conn of [ref.key, ...ref.viewers]) {
        this.sinks.get(conn)?.(bye);
        this.sinks.delete(conn);
        const ws = this.conns.get(conn);
        if (!ws) continue;
        this.sendText(ws, bye);
        ws.close(1011, 'crashed');
      }
    }
  }

  private forget(ref: SessionRef): void {
    if (ref.gone) return;
    ref.gone = true;
    ref.worker.load--;
    this.sessions.delete(ref.key);
    if (ref.watchToken) this.byWatchToken.delete(ref.watchToken);
  }

  /** Drops clients that did not answer the previous ping (a closed laptop, a dead network). */
  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  private forgetFloods(): void {
    for (const [address, at] of this.floodedAt) if (Date.now() - at >= FLOOD_MEMORY_MS) this.floodedAt.delete(address);
  }

  /** Ends every session (process shutdown): their byes go out, then the workers stop. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.flushFrames();
    await this.opts.pool.close();
    for (const c of this.clients) c.ws.close(1001, 'server shutting down');
    this.wss.close();
  }
}

/**
 * Whose quota a connection counts against: its address, except that every loopback address is the
 * one machine (127.0.0.2 or ::1 is no other client than 127.0.0.1).
 */
function clientKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return address ?? 'unknown';
  const ip = ipaddr.process(address);
  return ip.range() === 'loopback' ? 'loopback' : ip.toString();
}

function idFromJson(json: unknown): CommandId | null {
  if (typeof json !== 'object' || json === null) return null;
  const r = CommandIdSchema.safeParse('id' in json ? json.id : undefined);
  return r.success ? r.data : null;
}

function idOf(data: Buffer): CommandId | null {
  try {
    return idFromJson(JSON.parse(data.toString('utf8')));
  } catch {
    return null;
  }
}
