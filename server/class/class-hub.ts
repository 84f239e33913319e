/**
 * Class hosting: the /class WebSocket for students and the instructor, the roster and progress
 * (kept in the ClassStore), the instructor's dashboard, presenter mode, "open a lesson for
 * everyone", the class chat server, and the end of the class with its CSV summary.
 * Students only ever get their own data and the class-wide pushes; every instructor message needs
 * the instructor key first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { qrSvg } from './qr.ts';
import {
  CLASS_PROTOCOL,
  ClassClientMessageSchema,
  type ClassInfo,
  type ClassServerMessage,
  type LessonProgressReport,
  type StudentSummary,
} from '../protocol/class.ts';
import type { Step } from '../protocol/index.ts';
import type { LabHub } from '../lab/hub.ts';
import { LabSession, type SessionDeps } from '../lab/session.ts';
import { newSecret, sameSecret } from './class-codes.ts';
import { ClassFeed } from './class-feed.ts';
import type { ClassSettings, ClassStore, StudentRow } from './class-store.ts';
import { summaryCsv } from './summary-csv.ts';

const MAX_FRAME = 64 * 1024;
const DASHBOARD_MS = 1000;
const FLUSH_MS = 3000;
/** Failed join attempts allowed per client address per window: guessing a code is hopeless. */
const JOIN_FAILURES = 20;
const JOIN_WINDOW_MS = 10 * 60_000;

interface Conn {
  ws: WebSocket;
  role: 'none' | 'student' | 'instructor';
  studentId?: number;
  address: string;
}

export interface ClassHubOptions {
  store: ClassStore;
  lab: LabHub;
  sessionDeps: SessionDeps;
  studentUrl: string;
  /** Where the class chat server listens (the host's address) and the first port to try. */
  chatAddress: string;
  chatPort: number;
  allowedOrigins: string[];
}

/** A short text for one lab call, for the instructor's feed. */
function callText(step: Step): string {
  const a = step.args as Record<string, unknown>;
  const where = a.address !== undefined ? `${a.address}:${a.port}` : '';
  return `${step.op}(${[a.sock, where].filter(Boolean).join(', ')})`;
}

export class ClassHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  private readonly conns = new Set<Conn>();
  private readonly students = new Map<number, StudentRow>();
  private readonly byToken = new Map<string, number>();
  private readonly progress: Map<number, Record<string, LessonProgressReport>>;
  private readonly online = new Map<number, number>();
  private readonly feed = new ClassFeed();
  private readonly joinFailures = new Map<string, { count: number; since: number }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private settings: ClassSettings;
  private presenting: string | null = null;
  private qrSvg = '';
  private chatSession: LabSession | null = null;
  private closed = false;
  chat: { address: string; port: number } | null = null;

  constructor(private readonly opts: ClassHubOptions) {
    this.settings = opts.store.settings()!;
    for (const s of opts.store.students()) {
      this.students.set(s.id, s);
      this.byToken.set(s.token, s.id);
    }
    this.progress = opts.store.progress();
    this.timers.push(setInterval(() => this.pushDashboards(), DASHBOARD_MS), setInterval(() => this.flush(), FLUSH_MS));
    for (const t of this.timers) t.unref();
  }

  /** Prepares what start-up needs: the QR code and, unless the class has ended, the class chat server. */
  async start(): Promise<void> {
    this.qrSvg = qrSvg(this.opts.studentUrl);
    if (this.settings.endedAt === null) await this.startChat();
  }

  get info(): ClassInfo {
    return {
      title: this.settings.title,
      code: this.settings.code,
      studentUrl: this.opts.studentUrl,
      chat: this.chat,
      startedAt: this.settings.startedAt,
      endedAt: this.settings.endedAt,
    };
  }

  get studentCount(): number {
    return this.students.size;
  }

  // ------------------------------------------------------------------ class chat

  /** The capstone chat server for the whole class, in a session of its own that no browser owns. */
  private async startChat(): Promise<void> {
    const session = new LabSession(this.opts.sessionDeps);
    let id = 0;
    const call = (op: string, args: Record<string, unknown>) => session.execute({ id: `class-${++id}`, op, args } as never, { internal: true, quiet: true });
    const family = this.opts.chatAddress.includes(':') ? 6 : 4;
    const s = await call('socket', { type: 'tcp', family, actor: 'class chat' });
    if (!s.ok) return;
    const sock = String(s.result.sock);
    const [lo, hi] = this.opts.sessionDeps.policy.ports;
    for (let port = this.opts.chatPort; port <= Math.min(hi, this.opts.chatPort + 20); port++) {
      if (port < lo) continue;
      const b = await call('bind', { sock, address: this.opts.chatAddress, port });
      if (!b.ok) continue;
      const l = await call('listen', { sock, backlog: 64 });
      const r = l.ok ? await call('run', { program: 'chat', sock, log: 'summary', idleSeconds: 3 * 3600 }) : l;
      if (r.ok) {
        this.chatSession = session;
        this.chat = { address: this.opts.chatAddress, port };
      }
      return;
    }
    session.end('ended', 'no free port for the class chat');
  }

  // ------------------------------------------------------------------ lab sessions

  /** Tags a lab session opened as `/lab?student=<token>` so its calls reach the instructor's feed. */
  labelLabSession(session: LabSession, url: URL): void {
    const token = url.searchParams.get('student');
    const id = token ? this.byToken.get(token) : undefined;
    if (id === undefined) return;
    const student = this.students.get(id)!;
    session.label = { studentId: id, nickname: student.nickname };
    session.onStep = (step) => {
      if (step.status === 'blocked') return;
      this.feed.record({ at: step.end ?? Date.now(), studentId: id, student: student.nickname, call: callText(step), outcome: step.status === 'ok' ? 'ok' : (step.error?.code ?? 'error') });
    };
  }

  // ------------------------------------------------------------------ HTTP: the CSV summary

  /** Serves GET /class/summary.csv for the instructor; returns false for other paths. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://class.invalid');
    if (url.pathname !== '/class/summary.csv') return false;
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (req.method !== 'GET' || !sameSecret(key, this.settings.instructorKey)) {
      res.writeHead(req.method !== 'GET' ? 405 : 403, { 'content-type': 'text/plain' }).end('Instructor key required.\n');
      return true;
    }
    this.flush();
    const csv = summaryCsv(this.opts.store.students(), this.progress, LESSON_SLUGS, new Set(this.online.keys()));
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="socket-lab-class-${new Date(this.settings.startedAt).toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    });
    res.end(csv);
    return true;
  }

  // ------------------------------------------------------------------ WebSocket

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const origin = req.headers.origin;
    let sameSite = !origin || this.opts.allowedOrigins.includes(origin);
    try {
      sameSite ||= new URL(origin!).host === req.headers.host;
    } catch {
      /* a malformed origin is not ours */
    }
    if (!sameSite) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req.socket.remoteAddress ?? 'unknown'));
  }

  private send(conn: Conn, msg: ClassServerMessage): void {
    if (conn.ws.readyState === conn.ws.OPEN && conn.ws.bufferedAmount < 4 * 1024 * 1024) conn.ws.send(JSON.stringify(msg));
  }

  private fail(conn: Conn, code: string, message: string): void {
    this.send(conn, { type: 'error', code, message });
  }

  private onConnection(ws: WebSocket, address: string): void {
    const conn: Conn = { ws, role: 'none', address };
    this.conns.add(conn);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.conns.delete(conn);
      if (conn.role === 'student' && conn.studentId !== undefined) this.setOffline(conn.studentId);
    });
    ws.on('message', (data, isBinary) => {
      let msg;
      try {
        if (isBinary) throw new Error('binary');
        msg = ClassClientMessageSchema.safeParse(JSON.parse(String(data)));
      } catch {
        return this.fail(conn, 'E_BAD_REQUEST', 'Send JSON text frames.');
      }
      if (!msg.success) return this.fail(conn, 'E_BAD_REQUEST', msg.error.issues[0]?.message ?? 'malformed message');
      this.onMessage(conn, msg.data);
    });
    this.send(conn, { type: 'hello', protocol: CLASS_PROTOCOL, class: this.info });
  }

  private onMessage(conn: Conn, msg: ReturnType<typeof ClassClientMessageSchema.parse>): void {
    switch (msg.type) {
      case 'join':
        return this.join(conn, msg.code, msg.nickname);
      case 'resume':
        return this.resume(conn, msg.token);
      case 'instructor':
        if (!sameSecret(msg.key, this.settings.instructorKey)) {
          this.fail(conn, 'E_FORBIDDEN', 'That is not the instructor key.');
          conn.ws.close(1008, 'E_FORBIDDEN');
          return;
        }
        conn.role = 'instructor';
        conn.studentId = undefined;
        return this.send(conn, this.dashboard());
      case 'progress':
        if (conn.role !== 'student') return this.fail(conn, 'E_FORBIDDEN', 'Join the class first.');
        return this.saveProgress(conn.studentId!, msg.lessons);
      case 'leave':
        if (conn.role === 'student') this.setOffline(conn.studentId!);
        conn.role = 'none';
        conn.studentId = undefined;
        return;
    }
    if (conn.role !== 'instructor') return this.fail(conn, 'E_FORBIDDEN', 'Only the instructor can do that.');
    switch (msg.type) {
      case 'open-lesson':
        if (msg.slug !== null && !(LESSON_SLUGS as readonly string[]).includes(msg.slug)) return this.fail(conn, 'E_BAD_REQUEST', 'No such lesson.');
        this.settings.lesson = msg.slug;
        this.opts.store.setLesson(msg.slug);
        return this.toStudents({ type: 'open-lesson', slug: msg.slug });
      case 'present':
        if (msg.watchToken !== null && !this.opts.lab.sessionByWatchToken(msg.watchToken)) return this.fail(conn, 'E_BAD_REQUEST', 'That lab session is not live.');
        this.presenting = msg.watchToken;
        return this.toStudents({ type: 'presenting', watchToken: msg.watchToken });
      case 'end-class':
        return this.endClass();
    }
  }

  private joinRefused(address: string): boolean {
    const f = this.joinFailures.get(address);
    return !!f && Date.now() - f.since < JOIN_WINDOW_MS && f.count >= JOIN_FAILURES;
  }

  private countFailure(address: string): void {
    const now = Date.now();
    const f = this.joinFailures.get(address);
    if (!f || now - f.since >= JOIN_WINDOW_MS) this.joinFailures.set(address, { count: 1, since: now });
    else f.count++;
  }

  private join(conn: Conn, code: string, nickname: string): void {
    if (this.joinRefused(conn.address)) return this.fail(conn, 'E_LIMIT', 'Too many wrong codes from this address; wait a few minutes.');
    if (code !== this.settings.code) {
      this.countFailure(conn.address);
      return this.fail(conn, 'E_BAD_CODE', 'That join code is not right. Check it on the instructor\'s screen.');
    }
    if (this.settings.endedAt !== null) return this.fail(conn, 'E_ENDED', 'This class has ended.');
    const token = newSecret();
    const row = this.opts.store.addStudent(token, nickname, Date.now());
    if (!row) return this.fail(conn, 'E_NICK_TAKEN', `Someone in this class is already called ${nickname}; pick another nickname.`);
    this.students.set(row.id, row);
    this.byToken.set(token, row.id);
    this.enter(conn, row, false);
  }

  private resume(conn: Conn, token: string): void {
    const id = this.byToken.get(token);
    if (id === undefined) return this.fail(conn, 'E_UNKNOWN_STUDENT', 'This browser\'s class membership is not known here; join again with the code.');
    if (this.settings.endedAt !== null) return this.fail(conn, 'E_ENDED', 'This class has ended.');
    this.enter(conn, this.students.get(id)!, true);
  }

  private enter(conn: Conn, student: StudentRow, resumed: boolean): void {
    conn.role = 'student';
    conn.studentId = student.id;
    this.online.set(student.id, (this.online.get(student.id) ?? 0) + 1);
    student.lastSeen = Date.now();
    this.opts.store.touch(student.id, student.lastSeen);
    this.send(conn, {
      type: 'joined',
      token: student.token,
      student: { id: student.id, nickname: student.nickname },
      resumed,
      presenting: this.presenting,
      lesson: this.settings.lesson,
    });
  }

  private setOffline(id: number): void {
    if (this.closed) return;
    const n = (this.online.get(id) ?? 1) - 1;
    if (n <= 0) this.online.delete(id);
    else this.online.set(id, n);
    const s = this.students.get(id);
    if (s) {
      s.lastSeen = Date.now();
      this.opts.store.touch(id, s.lastSeen);
    }
  }

  private saveProgress(id: number, lessons: Record<string, LessonProgressReport>): void {
    const known = Object.fromEntries(Object.entries(lessons).filter(([slug]) => (LESSON_SLUGS as readonly string[]).includes(slug)));
    this.opts.store.saveProgress(id, known, Date.now());
    this.progress.set(id, { ...this.progress.get(id), ...known });
  }

  private toStudents(msg: ClassServerMessage): void {
    const text = JSON.stringify(msg);
    for (const c of this.conns) if (c.role === 'student' && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  // ------------------------------------------------------------------ dashboard

  private dashboard(): ClassServerMessage {
    const students: StudentSummary[] = [...this.students.values()].map((s) => {
      const pending = this.feed.unsaved.get(s.id);
      return {
        id: s.id,
        nickname: s.nickname,
        online: this.online.has(s.id),
        joinedAt: s.joinedAt,
        lastSeen: s.lastSeen,
        lessons: this.progress.get(s.id) ?? {},
        labCalls: s.labCalls + (pending?.calls ?? 0),
        labErrors: s.labErrors + (pending?.errors ?? 0),
      };
    });
    return {
      type: 'dashboard',
      class: this.info,
      students,
      feed: this.feed.items(),
      errors: this.feed.tallies(Date.now()),
      qrSvg: this.qrSvg,
      presenting: this.presenting,
    };
  }

  private pushDashboards(): void {
    const instructors = [...this.conns].filter((c) => c.role === 'instructor');
    if (!instructors.length) return;
    const text = JSON.stringify(this.dashboard());
    for (const c of instructors) if (c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  /** Writes lab-call counts gathered since the last flush. */
  private flush(): void {
    const counts = this.feed.takeUnsaved();
    if (!counts.size) return;
    this.opts.store.addLabCounts(counts);
    for (const [id, c] of counts) {
      const s = this.students.get(id);
      if (s) {
        s.labCalls += c.calls;
        s.labErrors += c.errors;
      }
    }
  }

  // ------------------------------------------------------------------ the end

  private endClass(): void {
    if (this.settings.endedAt !== null) return;
    const at = Date.now();
    this.settings.endedAt = at;
    this.flush();
    this.opts.store.endClass(at);
    this.presenting = null;
    this.toStudents({ type: 'class-ended', message: 'Your instructor ended the class. Thank you for taking part!' });
    this.opts.lab.endSessions((s) => s.label.studentId !== undefined, 'The class has ended.');
    this.chatSession?.end('ended', 'The class has ended.');
    this.chatSession = null;
    this.chat = null;
    this.pushDashboards();
  }

  close(): void {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    this.flush();
    this.chatSession?.end('shutdown', 'The server is stopping.');
    for (const c of this.conns) c.ws.close(1001, 'server shutting down');
    this.wss.close();
    this.closed = true;
    this.opts.store.close();
  }
}

/**
 * Makes a fresh class, or picks up the stored one after a restart (even an ended one, so its
 * summary can still be downloaded; `fresh` starts over). A given instructor key replaces the stored one.
 */
export function openClass(store: ClassStore, o: { title: string; code: string; instructorKey: string | null; fresh: boolean }): 'new' | 'resumed' {
  const existing = store.settings();
  if (existing && !o.fresh) {
    if (o.instructorKey && o.instructorKey !== existing.instructorKey) store.setInstructorKey(o.instructorKey);
    return 'resumed';
  }
  store.startClass({ code: o.code, instructorKey: o.instructorKey ?? newSecret(), title: o.title, startedAt: Date.now() });
  return 'new';
}
