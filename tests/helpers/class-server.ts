/**
 * A small scripted /class server for the browser side's connections: real WebSockets on loopback
 * (port 0), greeting with hello as server/protocol/class.ts says; each test scripts the rest.
 * Servers still open when a test file ends are closed by its `after` hook.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CLASS_PROTOCOL,
  ClassClientMessageSchema,
  type ClassClientMessage,
  type ClassInfo,
  type PublicClassInfo,
  type ClassServerMessage,
} from '../../server/protocol/class.ts';
import type { MembershipStore } from '../../app/_lib/class/class-connection.ts';
import type { ClassMembership } from '../../app/_lib/class/class-store.ts';
import type { SocketLike } from '../../app/_lib/socket.ts';

export const TOKEN = 'tok_abcdefghijklmnop';
export const KEY = 'key_ABCDEFGHIJKLMNOP_1234';

// ---------------------------------------------------------------------------------------
// The connections, over real WebSockets on loopback

export function publicInfo(over: Partial<PublicClassInfo> = {}): PublicClassInfo {
  return { title: 'Sockets 101', startedAt: 1, endedAt: null, ...over };
}

export function info(over: Partial<ClassInfo> = {}): ClassInfo {
  return { ...publicInfo(), code: 'ABC234', studentUrl: 'http://127.0.0.1:3000/class?code=ABC234', chat: null, machineAddresses: [], ...over };
}

/** One browser connection as the scripted server sees it. */
class Peer {
  readonly received: ClassClientMessage[] = [];
  private waiters: ((m: ClassClientMessage) => void)[] = [];
  closed: Promise<void>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = ClassClientMessageSchema.parse(JSON.parse(String(data)));
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.received.push(msg);
    });
    this.closed = new Promise((res) => ws.on('close', () => res()));
  }
  send(msg: ClassServerMessage | Record<string, unknown> | string) {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  next(ms = 3000): Promise<ClassClientMessage> {
    const queued = this.received.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('no message from the browser side in time')), ms);
      this.waiters.push((m) => {
        clearTimeout(t);
        res(m);
      });
    });
  }
  /** Nothing arrives for `ms`. */
  async quiet(ms: number) {
    await sleep(ms);
    assert.deepEqual(this.received, []);
  }
}

export interface FakeServer {
  port: number;
  url: string;
  nextPeer(ms?: number): Promise<Peer>;
  peers: Peer[];
  close(): Promise<void>;
}

const servers = new Set<FakeServer>();
after(async () => {
  for (const s of servers) await s.close();
});

/** A /class WebSocket endpoint that greets with hello; the test scripts the rest. */
export async function fakeServer(port = 0, classInfo = publicInfo()): Promise<FakeServer> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/class' });
  const peers: Peer[] = [];
  const waiting: ((p: Peer) => void)[] = [];
  const queued: Peer[] = [];
  wss.on('connection', (ws) => {
    const p = new Peer(ws);
    peers.push(p);
    p.send({ type: 'hello', protocol: CLASS_PROTOCOL, class: classInfo });
    const w = waiting.shift();
    if (w) w(p);
    else queued.push(p);
  });
  await new Promise<void>((res) => http.listen(port, '127.0.0.1', res));
  const actual = (http.address() as AddressInfo).port;
  const s: FakeServer = {
    port: actual,
    url: `ws://127.0.0.1:${actual}/class`,
    peers,
    nextPeer(ms = 3000) {
      const q = queued.shift();
      if (q) return Promise.resolve(q);
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error('no connection in time')), ms);
        waiting.push((p) => {
          clearTimeout(t);
          res(p);
        });
      });
    },
    async close() {
      if (!servers.delete(s)) return;
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((res) => wss.close(() => res()));
      await new Promise<void>((res) => http.close(() => res()));
    },
  };
  servers.add(s);
  return s;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TestStore implements MembershipStore {
  value: ClassMembership | null;
  constructor(initial: ClassMembership | null = null) {
    this.value = initial;
  }
  read() {
    return this.value;
  }
  save(m: ClassMembership) {
    this.value = { ...m };
  }
  forget() {
    this.value = null;
  }
}

// ws types its listeners by its own event classes; at run time they carry data, code and reason as SocketLike says.
export const createSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;


/** Resolves when the connection's state satisfies `ok`. */
export function until<S>(conn: { getState(): S; subscribe(l: () => void): () => void }, ok: (s: S) => boolean, ms = 3000): Promise<S> {
  if (ok(conn.getState())) return Promise.resolve(conn.getState());
  return new Promise((res, rej) => {
    const t = setTimeout(() => {
      off();
      rej(new Error(`state not reached in time; last: ${JSON.stringify(conn.getState())}`));
    }, ms);
    const off = conn.subscribe(() => {
      if (!ok(conn.getState())) return;
      clearTimeout(t);
      off();
      res(conn.getState());
    });
  });
}

export const joined = (over: Partial<Extract<ClassServerMessage, { type: 'joined' }>> = {}): ClassServerMessage => ({
  type: 'joined',
  token: TOKEN,
  student: { id: 1, nickname: 'Ada' },
  resumed: false,
  presenting: null,
  lesson: null,
  chat: null,
  ...over,
});
