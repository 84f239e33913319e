/**
 * The browser side of class hosting, without a browser: the stored membership (app/_lib/class/
 * class-store.ts), the progress report, the dashboard's words (format.ts), the instructor key, and
 * the student's and instructor's connections driven over real WebSockets on loopback against a
 * small scripted /class server that speaks server/protocol/class.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { WebSocket, WebSocketServer } from 'ws';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import {
  CLASS_PROTOCOL,
  ClassClientMessageSchema,
  JoinCodeSchema,
  TokenSchema,
  type ClassClientMessage,
  type ClassInfo,
  type PublicClassInfo,
  type ClassServerMessage,
} from '../../server/protocol/class.ts';
import {
  CLASS_STORE_KEY,
  CODE_PATTERN,
  TOKEN_PATTERN,
  classTokenForLab,
  forgetMembership,
  parseMembership,
  readMembership,
  saveMembership,
  type ClassMembership,
} from '../../app/_lib/class/class-store.ts';
import { toProgressReport } from '../../app/_lib/class/progress-report.ts';
import { clock, lessonHref, lessonLabel, lessonTotals, matrixCell, plural, sortTallies, summaryFileName, svgDataUrl, tallySentence } from '../../app/_lib/class/format.ts';
import { keyFromHash, parseInstructorKey } from '../../app/_lib/class/instructor-key.ts';
import { parseServerMessage, type ClassSocket } from '../../app/_lib/class/class-socket.ts';
import { ClassConnection, LAB_RESET_NOTICE, type ClassState, type MembershipStore } from '../../app/_lib/class/class-connection.ts';
import { InstructorConnection, type InstructorState } from '../../app/_lib/class/instructor-connection.ts';

const TOKEN = 'tok_abcdefghijklmnop';
const KEY = 'key_ABCDEFGHIJKLMNOP_1234';

// ---------------------------------------------------------------------------------------
// The stored membership

class MemoryStorage {
  private readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.has(k) ? this.map.get(k)! : null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, String(v));
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('class-store', () => {
  const good = { token: TOKEN, nickname: 'Ada', code: 'ABC234' };

  test('a well-formed entry is read back; the nickname is trimmed', () => {
    assert.deepEqual(parseMembership(JSON.stringify(good)), good);
    assert.deepEqual(parseMembership(JSON.stringify({ ...good, nickname: '  Ada  ', extra: 1 })), good);
  });

  test('anything else means "not in a class"', () => {
    const bad: unknown[] = [
      null,
      '',
      'not json',
      '[]',
      'null',
      '42',
      JSON.stringify([good]),
      JSON.stringify({ ...good, token: 'short' }),
      JSON.stringify({ ...good, token: 'has spaces in it, sixteen+' }),
      JSON.stringify({ ...good, token: 7 }),
      JSON.stringify({ ...good, code: 'abc234' }),
      JSON.stringify({ ...good, code: 'ABC-234' }),
      JSON.stringify({ ...good, code: 'ABCO12' }),
      JSON.stringify({ ...good, nickname: '   ' }),
      JSON.stringify({ ...good, nickname: 'x'.repeat(33) }),
      JSON.stringify({ ...good, nickname: null }),
      JSON.stringify({ nickname: 'Ada', code: 'ABC234' }),
    ];
    for (const raw of bad) assert.equal(parseMembership(raw as string | null), null, String(raw));
  });

  test('its token pattern agrees with the protocol\'s TokenSchema', () => {
    const tokenChars = fc.constantFrom(...'abcXYZ019_-+/= .'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: tokenChars, minLength: 0, maxLength: 70 }), (s) => TOKEN_PATTERN.test(s) === TokenSchema.safeParse(s).success),
      { numRuns: 500 },
    );
  });

  test('its code pattern accepts exactly the codes JoinCodeSchema gives back', () => {
    const codeChars = fc.constantFrom(...'23456789ABCDEFGHJKMNPQRSTUVWXYZ01ILOabc-'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: codeChars, minLength: 4, maxLength: 8 }), (s) => {
        const parsed = JoinCodeSchema.safeParse(s);
        return CODE_PATTERN.test(s) === (parsed.success && parsed.data === s);
      }),
      { numRuns: 1000 },
    );
  });

  test('save, read, forget through localStorage; broken storage reads as none', () => {
    const storage = new MemoryStorage();
    const g = globalThis as unknown as { localStorage?: MemoryStorage };
    const before = g.localStorage;
    g.localStorage = storage;
    try {
      assert.equal(readMembership(), null);
      assert.equal(classTokenForLab(), null);
      saveMembership({ ...good, extra: 'dropped' } as ClassMembership);
      assert.deepEqual(JSON.parse(storage.getItem(CLASS_STORE_KEY)!), good);
      assert.deepEqual(readMembership(), good);
      assert.equal(readMembership(), readMembership(), 'the same value while storage is unchanged (useSyncExternalStore needs that)');
      assert.equal(classTokenForLab(), TOKEN);
      storage.setItem(CLASS_STORE_KEY, '{"token":');
      assert.equal(readMembership(), null);
      saveMembership(good);
      forgetMembership();
      assert.equal(storage.getItem(CLASS_STORE_KEY), null);
      assert.equal(classTokenForLab(), null);
    } finally {
      g.localStorage = before;
    }
  });
});

// ---------------------------------------------------------------------------------------
// Progress as reported to the class

describe('toProgressReport', () => {
  test('every lesson, in course order, with read as a boolean and the quiz or null', () => {
    const r = toProgressReport({
      networks: { read: 1700000000000 },
      protocols: { read: 1, quiz: { score: 4, total: 5, passed: true, at: 2 } },
      sockets: { quiz: { score: 1, total: 5, passed: false, at: 3 } },
      'not-a-lesson': { read: 5 },
    });
    assert.deepEqual(Object.keys(r), [...LESSON_SLUGS]);
    assert.deepEqual(r.networks, { read: true, quiz: null });
    assert.deepEqual(r.protocols, { read: true, quiz: { score: 4, total: 5, passed: true } });
    assert.deepEqual(r.sockets, { read: false, quiz: { score: 1, total: 5, passed: false } });
    assert.deepEqual(r['what-is-a-socket-program'], { read: false, quiz: null });
    assert.equal('not-a-lesson' in r, false);
  });

  test('quiz results the server would refuse are left out, and the message always validates', () => {
    const odd = [
      { score: 6, total: 5 },
      { score: 1.5, total: 5 },
      { score: 1, total: 0 },
      { score: 1, total: 101 },
      { score: -1, total: 5 },
      { score: Number.NaN, total: 5 },
    ];
    for (const q of odd) {
      const r = toProgressReport({ networks: { read: 1, quiz: { ...q, passed: true, at: 1 } } });
      assert.equal(r.networks.quiz, null, JSON.stringify(q));
    }
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...LESSON_SLUGS, 'x', '__proto__'), fc.record({ read: fc.option(fc.double(), { nil: undefined }), quiz: fc.option(fc.record({ score: fc.integer({ min: -5, max: 120 }), total: fc.integer({ min: -5, max: 120 }), passed: fc.boolean(), at: fc.nat() }), { nil: undefined }) })),
        (progress) => {
          const msg = { type: 'progress', lessons: toProgressReport(progress as never) };
          return ClassClientMessageSchema.safeParse(msg).success;
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------
// Words on the dashboard

describe('format', () => {
  test('error tallies read as sentences, singular and plural', () => {
    assert.equal(tallySentence({ code: 'EADDRINUSE', students: 12, calls: 30 }), '12 students got EADDRINUSE (30 calls)');
    assert.equal(tallySentence({ code: 'ECONNREFUSED', students: 1, calls: 1 }), '1 student got ECONNREFUSED (1 call)');
    assert.equal(plural(0, 'student'), '0 students');
  });

  test('tallies: most students first, then most calls, then by code', () => {
    const sorted = sortTallies([
      { code: 'EPIPE', students: 2, calls: 2 },
      { code: 'EADDRINUSE', students: 12, calls: 30 },
      { code: 'EAGAIN', students: 2, calls: 9 },
      { code: 'EBADF', students: 2, calls: 2 },
    ]);
    assert.deepEqual(sorted.map((t) => t.code), ['EADDRINUSE', 'EAGAIN', 'EBADF', 'EPIPE']);
  });

  test('lessons by number and name; pushes to unknown slugs go to the course map', () => {
    assert.equal(lessonLabel('what-is-a-socket-program'), 'lesson 1 (what is a socket program)');
    assert.equal(lessonLabel('chat-capstone'), 'lesson 13 (chat capstone)');
    assert.equal(lessonLabel('nope'), 'nope');
    assert.equal(lessonHref('sockets'), '/learn/sockets');
    assert.equal(lessonHref(null), '/');
    assert.equal(lessonHref('../../etc'), '/');
    assert.equal(lessonHref('nope'), '/');
  });

  test('matrix cells: text for the eye, words for a screen reader', () => {
    assert.deepEqual(matrixCell(undefined), { text: '–', label: 'not started', tone: 'none' });
    assert.deepEqual(matrixCell({ read: false, quiz: null }), { text: '–', label: 'not started', tone: 'none' });
    assert.deepEqual(matrixCell({ read: true, quiz: null }), { text: '✓', label: 'read', tone: 'read' });
    assert.deepEqual(matrixCell({ read: true, quiz: { score: 4, total: 5, passed: true } }), { text: '✓ 4/5', label: 'read, quiz 4 of 5, passed', tone: 'passed' });
    assert.deepEqual(matrixCell({ read: false, quiz: { score: 1, total: 5, passed: false } }), { text: '1/5', label: 'quiz 1 of 5, not passed', tone: 'failed' });
  });

  test('totals count only the course\'s lessons', () => {
    assert.deepEqual(
      lessonTotals({
        networks: { read: true, quiz: { score: 5, total: 5, passed: true } },
        sockets: { read: true, quiz: { score: 1, total: 5, passed: false } },
        other: { read: true, quiz: { score: 5, total: 5, passed: true } },
      }),
      { read: 2, passed: 1 },
    );
  });

  test('the QR SVG becomes a base64 data URL that decodes to the same text (non-ASCII too)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>Klasse “Sockets” – ü</title>' + '<rect/>'.repeat(20000) + '</svg>';
    const url = svgDataUrl(svg);
    assert.ok(url.startsWith('data:image/svg+xml;base64,'));
    assert.equal(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8'), svg);
  });

  test('summary file name and clock', () => {
    assert.equal(summaryFileName('ABC234', new Date('2025-03-04T10:00:00Z')), 'socketlab-class-ABC234-2025-03-04.csv');
    assert.equal(summaryFileName('../x', new Date('2025-03-04T10:00:00Z')), 'socketlab-class-x-2025-03-04.csv');
    assert.match(clock(Date.UTC(2025, 0, 1, 12, 34, 56)), /34.56/);
  });
});

describe('instructor key', () => {
  test('from the fragment of the printed URL, the fragment alone, or the bare key', () => {
    assert.equal(parseInstructorKey(`http://192.168.1.20:3000/class/instructor#key=${KEY}`), KEY);
    assert.equal(parseInstructorKey(`  #key=${KEY}\n`), KEY);
    assert.equal(parseInstructorKey(`key=${KEY}`), KEY);
    assert.equal(parseInstructorKey(KEY), KEY);
    assert.equal(keyFromHash(`#key=${KEY}&x=1`), KEY);
  });

  test('anything that is not a key is refused', () => {
    for (const s of ['', 'http://host/class/instructor', 'http://host/class/instructor#key=', '#key=short', 'key=with spaces in it here', 'short', `${KEY} extra`]) {
      assert.equal(parseInstructorKey(s), null, s);
    }
  });
});

describe('class-socket', () => {
  test('only messages that match the protocol get through', () => {
    const hello = { type: 'hello', protocol: CLASS_PROTOCOL, class: publicInfo() };
    assert.deepEqual(parseServerMessage(JSON.stringify(hello)), hello);
    assert.equal(parseServerMessage('not json'), null);
    assert.equal(parseServerMessage(JSON.stringify({ ...hello, protocol: 'socketlab-class/0' })), null);
    assert.equal(parseServerMessage(JSON.stringify({ type: 'joined', token: 'x' })), null);
    assert.equal(parseServerMessage(Buffer.from(JSON.stringify(hello))), null);
  });
});

// ---------------------------------------------------------------------------------------
// The connections, over real WebSockets on loopback

function publicInfo(over: Partial<PublicClassInfo> = {}): PublicClassInfo {
  return { title: 'Sockets 101', startedAt: 1, endedAt: null, ...over };
}

function info(over: Partial<ClassInfo> = {}): ClassInfo {
  return { ...publicInfo(), code: 'ABC234', studentUrl: 'http://127.0.0.1:3000/class?code=ABC234', chat: null, ...over };
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

interface FakeServer {
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
async function fakeServer(port = 0, classInfo = publicInfo()): Promise<FakeServer> {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class TestStore implements MembershipStore {
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

const createSocket = (url: string) => new WebSocket(url) as unknown as ClassSocket;

function student(url: string, store: TestStore) {
  const conn = new ClassConnection({ url: () => url, createSocket, store, backoff: { baseMs: 40, maxMs: 200 }, progressDebounceMs: 80, answerTimeoutMs: 2000 });
  return conn;
}

/** Resolves when the connection's state satisfies `ok`. */
function until<S>(conn: { getState(): S; subscribe(l: () => void): () => void }, ok: (s: S) => boolean, ms = 3000): Promise<S> {
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

const joined = (over: Partial<Extract<ClassServerMessage, { type: 'joined' }>> = {}): ClassServerMessage => ({
  type: 'joined',
  token: TOKEN,
  student: { id: 1, nickname: 'Ada' },
  resumed: false,
  presenting: null,
  lesson: null,
  chat: null,
  ...over,
});

describe('ClassConnection (student)', { timeout: 30_000 }, () => {
  test('join: normalised code, membership stored, progress at once, then debounced and only when changed', async () => {
    const srv = await fakeServer();
    const store = new TestStore();
    const conn = student(srv.url, store);
    try {
      const report1 = toProgressReport({ networks: { read: 1 } });
      conn.setProgress(report1); // before joining: kept, sent once joined
      const result = conn.join('abc-234', '  Ada ');
      const peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'join', code: 'ABC234', nickname: 'Ada' });
      peer.send(joined({ presenting: 'watch_1234567890', lesson: 'sockets' }));
      assert.deepEqual(await result, { ok: true });
      assert.deepEqual(store.value, { token: TOKEN, nickname: 'Ada', code: 'ABC234' });
      const s = conn.getState();
      assert.equal(s.status, 'connected');
      assert.equal(s.presenting, 'watch_1234567890');
      assert.equal(s.lesson, 'sockets');
      assert.equal(s.lessonPush, null, 'the lesson open at join time is not a push');
      const first = await peer.next();
      assert.deepEqual(first, { type: 'progress', lessons: report1, seq: (first as { seq: number }).seq });

      conn.setProgress(toProgressReport({ networks: { read: 1 }, protocols: { read: 2 } }));
      const report3 = toProgressReport({ networks: { read: 1 }, protocols: { read: 2 }, sockets: { read: 3 } });
      conn.setProgress(report3);
      assert.deepEqual(await peer.next(), { type: 'progress', lessons: report3, seq: (first as { seq: number }).seq + 1 }, 'two quick changes: one message, the latest');
      conn.setProgress(toProgressReport({ networks: { read: 1 }, protocols: { read: 2 }, sockets: { read: 3 } }));
      await peer.quiet(250);
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('join refused: the code and message come back, nothing is stored, the socket closes', async () => {
    const srv = await fakeServer();
    const store = new TestStore();
    const conn = student(srv.url, store);
    try {
      const result = conn.join('ABC234', 'Ada');
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'error', code: 'E_NICK_TAKEN', message: 'That nickname is taken.' });
      assert.deepEqual(await result, { ok: false, code: 'E_NICK_TAKEN', message: 'That nickname is taken.' });
      assert.equal(store.value, null);
      assert.equal(conn.getState().status, 'idle');
      await peer.closed;
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('join checks the code and nickname before connecting, and says when no class answers', async () => {
    const srv = await fakeServer();
    const port = srv.port;
    await srv.close();
    const conn = student(`ws://127.0.0.1:${port}/class`, new TestStore());
    try {
      assert.equal(((await conn.join('ABC12', 'Ada')) as { code: string }).code, 'E_BAD_CODE');
      assert.equal(((await conn.join('ABC234', '')) as { code: string }).code, 'E_BAD_NICKNAME');
      const r = await conn.join('ABC234', 'Ada');
      assert.equal(r.ok, false);
      assert.equal((r as { code: string }).code, 'E_UNREACHABLE');
      assert.equal(conn.active, false, 'no retry loop after a failed join');
    } finally {
      conn.dispose();
    }
  });

  test('resume; a server restart: reconnects by itself and says the lab was reset', async () => {
    let srv = await fakeServer();
    const port = srv.port;
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      let peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'resume', token: TOKEN });
      peer.send(joined({ resumed: true }));
      let s = await until(conn, (st) => st.status === 'connected');
      assert.equal(s.notice, null, 'a page load that resumes is not a drop: nothing to say');

      await srv.close(); // the server goes away mid-class
      s = await until(conn, (st) => st.status === 'reconnecting');
      await sleep(150); // a few failed attempts while it is down
      srv = await fakeServer(port);
      peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'resume', token: TOKEN });
      peer.send(joined({ resumed: true }));
      s = await until(conn, (st) => st.status === 'connected');
      assert.equal(s.notice?.text, LAB_RESET_NOTICE);
      assert.equal(s.notice?.tone, 'warning');
      assert.deepEqual(store.value, { token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('pushes: presenting, open-lesson (taken once), bad messages ignored, class-ended forgets the class', async () => {
    const srv = await fakeServer();
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send(joined({ resumed: true }));
      await until(conn, (st) => st.status === 'connected');

      peer.send('not json');
      peer.send({ type: 'presenting', watchToken: 42 } as Record<string, unknown>); // deliberately malformed
      peer.send({ type: 'presenting', watchToken: 'watch_abcdef123456' });
      let s = await until(conn, (st) => st.presenting !== null);
      assert.equal(s.presenting, 'watch_abcdef123456');
      assert.match(s.notice!.text, /presenting/);

      peer.send({ type: 'open-lesson', slug: 'server-side' });
      s = await until(conn, (st) => st.lessonPush !== null);
      assert.equal(s.lessonPush!.slug, 'server-side');
      assert.equal(s.notice!.text, 'Your instructor opened lesson 9 (server side).');
      assert.equal(conn.takeLessonPush(s.lessonPush!.id), true);
      assert.equal(conn.takeLessonPush(s.lessonPush!.id), false, 'a remounted bar does not navigate again');

      peer.send({ type: 'error', code: 'E_LIMIT', message: 'slow down' });
      s = await until(conn, (st) => st.error !== null);
      assert.equal(s.status, 'connected', 'an error after joining does not end the membership');

      peer.send({ type: 'class-ended', message: 'Thanks, everyone!' });
      s = await until(conn, (st: ClassState) => st.status === 'ended');
      assert.equal(s.notice!.text, 'The class has ended. Thanks, everyone!');
      assert.equal(store.value, null);
      await peer.closed;
      await sleep(150);
      assert.equal(srv.peers.length, 1, 'no reconnect after the end');
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('a resume the server no longer knows: forget the token and stop', async () => {
    const srv = await fakeServer();
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'error', code: 'E_UNKNOWN_STUDENT', message: 'unknown' });
      const s = await until(conn, (st) => st.status === 'left');
      assert.equal(store.value, null);
      assert.match(s.notice!.text, /Join again/);
      await peer.closed;
      await sleep(150);
      assert.equal(srv.peers.length, 1);
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('leave tells the server and forgets the class', async () => {
    const srv = await fakeServer();
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send(joined({ resumed: true }));
      await until(conn, (st) => st.status === 'connected');
      conn.leave();
      assert.deepEqual(await peer.next(), { type: 'leave' });
      await peer.closed;
      assert.equal(store.value, null);
      assert.equal(conn.getState().status, 'left');
    } finally {
      conn.dispose();
      await srv.close();
    }
  });
});

describe('InstructorConnection', { timeout: 20_000 }, () => {
  const dashboard = (over: Record<string, unknown> = {}): ClassServerMessage =>
    ({
      type: 'dashboard',
      class: info(),
      students: [{ id: 1, nickname: '<b>Ada</b>', online: true, joinedAt: 1, lastSeen: 2, lessons: {}, labCalls: 3, labErrors: 1 }],
      feed: [{ seq: 0, at: 5, student: '<b>Ada</b>', call: 'bind(s1, 127.0.0.1:41000)', outcome: 'EADDRINUSE' }],
      errors: [{ code: 'EADDRINUSE', students: 1, calls: 1 }],
      qrSvg: '<svg/>',
      presenting: null,
      ...over,
    }) as ClassServerMessage;

  test('authenticates with its key, takes dashboards, sends the controls', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      assert.equal(conn.present('x'), false, 'nothing is sent before the key is accepted');
      conn.start();
      const peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'instructor', key: KEY });
      peer.send(dashboard());
      const s = await until(conn, (st: InstructorState) => st.status === 'open');
      assert.equal(s.dashboard!.students[0].nickname, '<b>Ada</b>');
      assert.ok(conn.openLesson('sockets'));
      assert.deepEqual(await peer.next(), { type: 'open-lesson', slug: 'sockets' });
      assert.ok(conn.present('watch_abcdef123456'));
      assert.deepEqual(await peer.next(), { type: 'present', watchToken: 'watch_abcdef123456' });
      assert.ok(conn.present(null));
      assert.deepEqual(await peer.next(), { type: 'present', watchToken: null });
      assert.ok(conn.endClass());
      assert.deepEqual(await peer.next(), { type: 'end-class' });
      peer.send({ type: 'dashboard-delta', class: info({ endedAt: 10 }) });
      await until(conn, (st: InstructorState) => st.status === 'ended');
    } finally {
      conn.stop();
      await srv.close();
    }
  });

  test('changes arrive as deltas: rows patched, new students added whole, feed appended once', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'dashboard-delta', students: [{ id: 9, online: false }] }); // before the whole dashboard: ignored
      peer.send(dashboard());
      await until(conn, (st: InstructorState) => st.status === 'open');
      const quiz = { read: true, quiz: { score: 4, total: 5, passed: true } };
      const delta = {
        type: 'dashboard-delta',
        students: [
          { id: 1, online: false, lessons: { sockets: quiz } },
          { id: 2, nickname: 'Ben', online: true, joinedAt: 3, lastSeen: 3, lessons: {}, labCalls: 0, labErrors: 0 },
          { id: 3, online: true }, // unknown and partial: not a row
        ],
        feed: [{ seq: 1, at: 6, student: 'Ben', call: 'socket()', outcome: 'ok' }],
        presenting: 'watch_abcdef123456',
      };
      peer.send(delta);
      peer.send(delta); // twice: the same dashboard
      peer.send({ type: 'dashboard-delta', errors: [] });
      const s = await until(conn, (st: InstructorState) => st.dashboard!.errors.length === 0);
      assert.deepEqual(
        s.dashboard!.students.map((r) => [r.id, r.nickname, r.online, r.lessons]),
        [
          [1, '<b>Ada</b>', false, { sockets: quiz }],
          [2, 'Ben', true, {}],
        ],
      );
      assert.deepEqual(s.dashboard!.feed.map((f) => f.seq), [0, 1]);
      assert.equal(s.dashboard!.presenting, 'watch_abcdef123456');
      assert.equal(s.dashboard!.qrSvg, '<svg/>');
    } finally {
      conn.stop();
      await srv.close();
    }
  });

  test('reconnects after a drop and authenticates again', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      conn.start();
      const first = await srv.nextPeer();
      await first.next();
      first.send(dashboard());
      await until(conn, (st: InstructorState) => st.status === 'open');
      first.ws.terminate();
      await until(conn, (st: InstructorState) => st.status === 'reconnecting');
      const second = await srv.nextPeer();
      assert.deepEqual(await second.next(), { type: 'instructor', key: KEY });
      second.send(dashboard());
      await until(conn, (st: InstructorState) => st.status === 'open');
    } finally {
      conn.stop();
      await srv.close();
    }
  });

  test('a refused key stops it for good', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'error', code: 'E_FORBIDDEN', message: 'wrong key' });
      peer.ws.close();
      const s = await until(conn, (st: InstructorState) => st.status === 'forbidden');
      assert.equal(s.error?.code, 'E_FORBIDDEN');
      await sleep(200);
      assert.equal(srv.peers.length, 1, 'no second try with a refused key');
    } finally {
      conn.stop();
      await srv.close();
    }
  });
});
