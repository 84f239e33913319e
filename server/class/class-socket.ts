/**
 * The /class WebSocket: admits each connection by its address (limits.ts), gives it 30 seconds to
 * say who it carries, holds it to a few frames a second, and checks every frame (JSON text, then
 * the class protocol's schema) before the hub sees it. What a message means is the hub's job
 * (class-hub.ts); this module only moves frames.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CLASS_PROTOCOL,
  ClassClientMessageSchema,
  type ClassClientMessage,
  type ClassServerMessage,
  type PublicClassInfo,
} from '../protocol/class.ts';
import { clientAddress } from '../front/client-address.ts';
import { TokenBucket, addressKey, type AddressLimits } from './limits.ts';

const MAX_FRAME = 64 * 1024;
/** Frames one connection may send: a burst, then a steady rate (a browser sends one every 500 ms at most). */
const FRAMES_BURST = 20;
const FRAMES_PER_SECOND = 5;
/** Frames dropped over the rate before the connection is closed: a browser never gets there. */
const DROPPED_FRAMES_LIMIT = 100;
/** How long a connection may stay anonymous (neither a student nor the instructor). */
const ANONYMOUS_MS = 30_000;
/** A client that stops reading gets nothing more once this much waits for it. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface ClassConn {
  ws: WebSocket;
  /** 'left': was a student, left on purpose; carries nobody now. */
  role: 'none' | 'student' | 'instructor' | 'left';
  studentId?: number;
  /** The address's key (limits.ts): IPv4, or an IPv6 /64. */
  address: string;
  frames: TokenBucket;
  dropped: number;
  limitNoticeAt: number;
  wrongCodes: number;
  anonymousTimer: NodeJS.Timeout;
}

/** What the class does with its connections. */
export interface ClassSocketHandler {
  /** What anyone who opens /class may know, for the hello. */
  publicInfo(): PublicClassInfo;
  /** A well-formed message from a connection (not called once the server is stopping). */
  onMessage(conn: ClassConn, msg: ClassClientMessage): void;
  /** The connection closed; its role says who it carried. */
  onClose(conn: ClassConn): void;
}

export class ClassSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  private readonly conns = new Set<ClassConn>();
  private closed = false;

  constructor(
    private readonly limits: AddressLimits,
    private readonly handler: ClassSocketHandler,
  ) {}

  /** The upgrade was admitted already: server/front/upgrade-guard.ts checks host, origin and peer for /lab and /class alike. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, clientAddress(req) ?? 'unknown'));
  }

  send(conn: ClassConn, msg: ClassServerMessage): void {
    if (conn.ws.readyState === conn.ws.OPEN && conn.ws.bufferedAmount < MAX_BUFFERED_BYTES) conn.ws.send(JSON.stringify(msg));
  }

  fail(conn: ClassConn, code: string, message: string): void {
    this.send(conn, { type: 'error', code, message });
  }

  /** Refuses with a stable code and closes (1008: policy violation). */
  refuse(conn: Pick<ClassConn, 'ws'>, code: string, message: string): void {
    if (conn.ws.readyState === conn.ws.OPEN) {
      conn.ws.send(JSON.stringify({ type: 'error', code, message } satisfies ClassServerMessage));
      conn.ws.close(1008, code);
    }
  }

  /** The connection now carries a student or the instructor: it may stay, and counts as identified. */
  identify(conn: ClassConn, role: 'student' | 'instructor', studentId?: number): void {
    clearTimeout(conn.anonymousTimer);
    this.limits.identified(conn.address);
    conn.role = role;
    conn.studentId = studentId;
  }

  /** Sends one message to every student connection. */
  toStudents(msg: ClassServerMessage): void {
    const text = JSON.stringify(msg);
    for (const c of this.conns) if (c.role === 'student' && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  /** Closes every student connection (the class has ended). */
  closeStudents(code: number, reason: string): void {
    for (const c of this.conns) if (c.role === 'student') c.ws.close(code, reason);
  }

  instructors(): ClassConn[] {
    return [...this.conns].filter((c) => c.role === 'instructor');
  }

  /** Students with at least one open connection: derived from the connections, so never stale. */
  onlineIds(): Set<number> {
    const ids = new Set<number>();
    for (const c of this.conns) if (c.role === 'student') ids.add(c.studentId!);
    return ids;
  }

  close(): void {
    for (const c of this.conns) c.ws.close(1001, 'server shutting down');
    this.wss.close();
    this.closed = true;
  }

  private onConnection(ws: WebSocket, remote: string): void {
    // ws answers protocol errors itself with the right close code (1009 for a frame over the cap)
    // and a close handshake; terminating here would reset the connection and the peer would see 1006.
    ws.on('error', () => {});
    const address = addressKey(remote);
    const admission = this.closed ? { ok: false as const, message: 'The server is stopping.' } : this.limits.admit(address);
    if (!admission.ok) {
      this.refuse({ ws }, 'E_LIMIT', admission.message);
      return;
    }
    const conn: ClassConn = {
      ws,
      role: 'none',
      address,
      frames: new TokenBucket(FRAMES_BURST, FRAMES_PER_SECOND),
      dropped: 0,
      limitNoticeAt: 0,
      wrongCodes: 0,
      anonymousTimer: setTimeout(() => {
        if (conn.role === 'none') this.refuse(conn, 'E_TIMEOUT', 'Join, resume or give the instructor key within 30 seconds of connecting.');
      }, ANONYMOUS_MS),
    };
    conn.anonymousTimer.unref();
    this.conns.add(conn);
    ws.on('close', () => {
      clearTimeout(conn.anonymousTimer);
      this.conns.delete(conn);
      this.limits.closed(address, conn.role === 'none');
      this.handler.onClose(conn);
    });
    ws.on('message', (data, isBinary) => {
      // The rate is checked before anything is parsed: a flood costs a counter, not a JSON parse.
      if (!conn.frames.take()) return this.overRate(conn);
      let msg;
      try {
        if (isBinary) throw new Error('binary');
        msg = ClassClientMessageSchema.safeParse(JSON.parse(String(data)));
      } catch {
        return this.fail(conn, 'E_BAD_REQUEST', 'Send JSON text frames.');
      }
      if (!msg.success) return this.fail(conn, 'E_BAD_REQUEST', msg.error.issues[0]?.message ?? 'malformed message');
      if (!this.closed) this.handler.onMessage(conn, msg.data);
    });
    this.send(conn, { type: 'hello', protocol: CLASS_PROTOCOL, class: this.handler.publicInfo() });
  }

  private overRate(conn: ClassConn): void {
    conn.dropped++;
    if (conn.dropped > DROPPED_FRAMES_LIMIT) return this.refuse(conn, 'E_LIMIT', 'Too many messages on this connection.');
    const now = Date.now();
    if (now - conn.limitNoticeAt < 1000) return;
    conn.limitNoticeAt = now;
    this.fail(conn, 'E_LIMIT', `Too many messages: at most ${FRAMES_PER_SECOND} a second. Messages over the limit are dropped.`);
  }
}
