/**
 * The /lab WebSocket endpoint: admits connections (per-address cap; the host and origin are checked
 * before routing, in server/front/upgrade-guard.ts), gives each a
 * session or attaches it as a read-only viewer of one (`/lab?watch=<token>`), and turns frames into
 * commands. Every frame is size-capped, parsed in try/catch and schema-checked before dispatch; bad
 * input gets an error reply with a stable code and never reaches a socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { WebSocketServer, type WebSocket } from 'ws';
import * as z from 'zod/mini';
import { CommandIdSchema, CommandSchema, PROTOCOL, type CommandId, type NetworkSupport, type ServerMessage } from '../protocol/index.ts';
import { WriteBatch } from '../front/ws-transport.ts';
import { FrameGate, leadingId } from './frame-gate.ts';
import { SessionCapture } from './session-capture.ts';
import { LabSession, type SessionDeps } from './session.ts';

// zod/mini carries no error messages of its own (so the browser's bundle stays small); the server
// answers a malformed command with the English one, as the full zod did.
z.config(z.locales.en());

/** How long an address whose connection was closed for flooding gets no burst allowance. */
const FLOOD_MEMORY_MS = 30_000;
const FLOOD_MESSAGE = 'Frames are arriving faster than this session may send them; slow down.';

/** Commands are small JSON objects; the largest is a send of `maxSendBytes`, escaped. */
export const MAX_FRAME_BYTES = 512 * 1024;
/** A client that stops reading its events is dropped before it can pin this much memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

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

export interface HubOptions extends SessionDeps {
  engineComposite: Record<string, string>;
  /** Where the kernel view is read, told to the page in hello. */
  kernelView: 'netlink' | 'proc';
  /** Whether sessions can have a sandbox network (the hello says it). */
  networkSupport?: NetworkSupport;
  sessionsPerAddress: number;
  idleSeconds: number;
  heartbeatSeconds: number;
  log?: (line: string) => void;
  /** Lets class hosting tag a new session from its URL (`/lab?student=<token>`). */
  onSessionOpen?: (session: LabSession, url: URL) => void;
  /** A session on another instance that may be watched here (class hosting over Redis: the presenter's). */
  remoteSession?: (watchToken: string) => WatchableSession | undefined;
}

/** What a read-only viewer needs of a session, local or mirrored from another instance. */
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
  private readonly sessions = new Map<string, LabSession>();
  private readonly byWatchToken = new Map<string, LabSession>();
  private readonly perAddress = new Map<string, number>();
  /** When a connection from each address was last closed for flooding (see gateFor). */
  private readonly floodedAt = new Map<string, number>();
  private readonly clients = new Set<Client>();
  private readonly timers: NodeJS.Timeout[];

  constructor(private readonly opts: HubOptions) {
    this.timers = [
      setInterval(() => this.heartbeat(), opts.heartbeatSeconds * 1000),
      setInterval(() => this.endIdleSessions(), Math.min(15_000, (opts.idleSeconds * 1000) / 4)),
    ];
    for (const t of this.timers) t.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Looks a session up by its watch token (class hosting: the presenter's session). */
  sessionByWatchToken(token: string): LabSession | undefined {
    return this.byWatchToken.get(token);
  }

  /** Ends every session the predicate picks (class hosting: ending the class). */
  endSessions(pick: (s: LabSession) => boolean, message: string): void {
    for (const s of this.sessions.values()) if (pick(s)) s.end('ended', message);
  }

  /** The upgrade was admitted already (server/front/upgrade-guard.ts: host, origin, not a lab socket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const watch = url.searchParams.get('watch');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client = clientKey(req.socket.remoteAddress);
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

  /** `shared`: the same message goes to other connections too (an event of a watched session). */
  private send(ws: WebSocket, msg: ServerMessage, shared = false): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(encode(msg, shared));
  }

  private hello(session: WatchableSession, role: 'owner' | 'viewer') {
    return {
      event: 'hello' as const,
      protocol: PROTOCOL,
      session: session.id,
      engine: this.opts.engine.name,
      policy: this.opts.policy.describe(),
      role,
      ...(role === 'owner' ? { watchToken: session.watchToken } : {}),
      composite: this.opts.engineComposite,
      kernelView: this.opts.kernelView,
      ...(this.opts.networkSupport ? { network: this.opts.networkSupport } : {}),
      ...(this.opts.capture ? { capture: session.capture?.status() ?? SessionCapture.describe(this.opts.capture) } : {}),
    };
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
    const session = new LabSession(this.opts);
    this.opts.onSessionOpen?.(session, url);
    this.sessions.set(session.id, session);
    this.byWatchToken.set(session.watchToken, session);
    session.attach((event) => {
      this.send(ws, event, session.viewerCount > 1);
      if (event.event === 'bye') ws.close(1000, event.reason);
    });
    this.send(ws, this.hello(session, 'owner'));

    const gate = this.gateFor(address);
    ws.on('message', (data, isBinary) => {
      if (!this.passGate(ws, gate, data as Buffer, address)) return;
      void this.onFrame(ws, session, data as Buffer, isBinary);
    });
    ws.on('close', () => {
      session.end('closed', 'The connection to the lab closed.');
      this.forget(session);
    });
  }

  private attachViewer(ws: WebSocket, token: string, address: string): void {
    this.track(ws);
    if (!this.claim(ws, address)) return;
    const session: WatchableSession | undefined = this.byWatchToken.get(token) ?? this.opts.remoteSession?.(token);
    if (!session || session.ended) {
      this.send(ws, { id: null, ok: false, error: { code: 'E_NO_SOCKET', message: 'No live session to watch with that token.' } });
      ws.close(1008, 'E_NO_SOCKET');
      return;
    }
    const detach = session.attach((event) => {
      this.send(ws, event, session.viewerCount > 1);
      if (event.event === 'bye') ws.close(1000, 'session ended');
    }, 'viewer');
    this.send(ws, this.hello(session, 'viewer'));
    const gate = this.gateFor(address);
    ws.on('message', (data) => {
      if (!this.passGate(ws, gate, data as Buffer, address)) return;
      const id = idOf(data as Buffer);
      this.send(ws, { id, ok: false, error: { code: 'E_POLICY', message: 'This is a read-only view of another session.' } });
    });
    ws.on('close', detach);
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

  private async onFrame(ws: WebSocket, session: LabSession, data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.send(ws, { id: null, ok: false, error: { code: 'E_BAD_REQUEST', message: 'Send commands as JSON text frames.' } });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString('utf8'));
    } catch {
      this.send(ws, { id: null, ok: false, error: { code: 'E_BAD_REQUEST', message: 'The frame is not valid JSON.' } });
      return;
    }
    const parsed = CommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      this.send(ws, { id: idFromJson(json), ok: false, error: { code: 'E_BAD_REQUEST', message: `${where}${issue?.message ?? 'malformed command'}` } });
      return;
    }
    // The finished step and the reply go out in one write: hold the socket's writes from the
    // step's broadcast until the reply is queued (all within this turn of the event loop).
    const batch = new WriteBatch(ws);
    const result = await session.execute(parsed.data, { beforeFinish: () => batch.hold() });
    this.send(ws, result);
    batch.release();
  }

  private forget(session: LabSession): void {
    this.sessions.delete(session.id);
    this.byWatchToken.delete(session.watchToken);
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

  private endIdleSessions(): void {
    for (const [address, at] of this.floodedAt) if (Date.now() - at >= FLOOD_MEMORY_MS) this.floodedAt.delete(address);
    const limit = Date.now() - this.opts.idleSeconds * 1000;
    for (const s of this.sessions.values()) {
      if (s.lastActivity < limit) s.end('idle', `No lab call for ${Math.round(this.opts.idleSeconds / 60)} minutes; the session was closed and its sockets released.`);
    }
  }

  /** Ends every session (process shutdown). */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sessions.values()) s.end('shutdown', 'The lab server is shutting down.');
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
