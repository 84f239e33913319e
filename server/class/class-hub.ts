/**
 * Class hosting: the /class WebSocket for students and the instructor, the roster and progress
 * (kept in the ClassStore), the instructor's dashboard, presenter mode, "open a lesson for
 * everyone", the class chat server, and the end of the class with its CSV summary.
 * Students only ever get their own data and the class-wide pushes; the join code and the dashboard
 * go to the instructor only, after the key. Each connection carries at most one identity (a student
 * or the instructor), sends at most a few frames a second, and its address is held to the limits
 * in limits.ts. docs/protocol.md lists what is enforced.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { qrSvg } from './qr.ts';
import {
  CLASS_PROTOCOL,
  ClassClientMessageSchema,
  type ClassClientMessage,
  type ClassInfo,
  type ClassServerMessage,
  type Dashboard,
  type LessonProgressReport,
  type PublicClassInfo,
  type StudentSummary,
} from '../protocol/class.ts';
import type { ArgsOf, Op, Step } from '../protocol/index.ts';
import type { LabHub } from '../lab/hub.ts';
import { LabSession, type SessionDeps } from '../lab/session.ts';
import { newSecret, sameSecret } from './class-codes.ts';
import { ClassFeed } from './class-feed.ts';
import type { ClassSettings, ClassStore, StudentRow } from './class-store.ts';
import { DashboardTracker, type DashboardState } from './dashboard-tracker.ts';
import { AddressLimits, TokenBucket, WRONG_CODES_PER_CONNECTION, addressKey } from './limits.ts';
import { nicknameKeys } from './nickname.ts';
import { ProgressBatch } from './progress-batch.ts';
import { summaryCsv } from './summary-csv.ts';

const MAX_FRAME = 64 * 1024;
const DASHBOARD_MS = 1000;
const FLUSH_MS = 3000;
const SWEEP_MS = 60_000;
/** Frames one connection may send: a burst, then a steady rate (a browser sends one every 500 ms at most). */
const FRAMES_BURST = 20;
const FRAMES_PER_SECOND = 5;
/** Frames dropped over the rate before the connection is closed: a browser never gets there. */
const DROPPED_FRAMES_LIMIT = 100;
/** How long a connection may stay anonymous (neither a student nor the instructor). */
const ANONYMOUS_MS = 30_000;

const KNOWN_SLUGS: ReadonlySet<string> = new Set(LESSON_SLUGS);

function sameReport(a: LessonProgressReport | undefined, b: LessonProgressReport): boolean {
  return !!a && a.read === b.read && a.quiz?.score === b.quiz?.score && a.quiz?.total === b.quiz?.total && a.quiz?.passed === b.quiz?.passed;
}

interface Conn {
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

export interface ClassHubOptions {
  store: ClassStore;
  lab: LabHub;
  sessionDeps: SessionDeps;
  studentUrl: string;
  /** Where the class chat server listens (the host's address) and the first port to try. */
  chatAddress: string;
  chatPort: number;
  allowedOrigins: string[];
  /** Students who may join from one client address (a classroom behind one NAT is one address). */
  studentsPerAddress: number;
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
  private readonly feed = new ClassFeed();
  private readonly limits: AddressLimits;
  private readonly batch: ProgressBatch;
  private readonly tracker = new DashboardTracker();
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
    this.limits = new AddressLimits(opts.studentsPerAddress);
    this.batch = new ProgressBatch(
      (b) => opts.store.commitBatch(b),
      (b) => {
        for (const [id, { lessons }] of b.progress) this.progress.set(id, { ...this.progress.get(id), ...lessons });
      },
    );
    this.timers.push(
      setInterval(() => this.pushDashboards(), DASHBOARD_MS),
      setInterval(() => this.flushLabCounts(), FLUSH_MS),
      setInterval(() => this.limits.sweep(), SWEEP_MS),
    );
    for (const t of this.timers) t.unref();
  }

  /** Prepares what start-up needs: the QR code and, unless the class has ended, the class chat server. */
  async start(): Promise<void> {
    this.qrSvg = qrSvg(this.opts.studentUrl);
    if (this.settings.endedAt === null) await this.startChat();
  }

  /** The whole class, for the instructor and the terminal banner. */
  get info(): ClassInfo {
    return { ...this.publicInfo, code: this.settings.code, studentUrl: this.opts.studentUrl, chat: this.chat };
  }

  /** What anyone who opens /class may know: no code. */
  get publicInfo(): PublicClassInfo {
    return { title: this.settings.title, startedAt: this.settings.startedAt, endedAt: this.settings.endedAt };
  }

  get studentCount(): number {
    return this.students.size;
  }

  // ------------------------------------------------------------------ class chat

  /** The capstone chat server for the whole class, in a session of its own that no browser owns. */
  private async startChat(): Promise<void> {
    const session = new LabSession(this.opts.sessionDeps);
    const call = <O extends Op>(op: O, args: ArgsOf<O>) => session.call(op, args, { quiet: true });
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
    this.flushLabCounts();
    this.batch.flush();
    const csv = summaryCsv(this.opts.store.students(), this.progress, LESSON_SLUGS, this.onlineIds());
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="socket-lab-class-${new Date(this.settings.startedAt).toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    });
    res.end(csv);
    return true;
  }

  // ------------------------------------------------------------------ WebSocket

  /** The upgrade was admitted already: server/front/upgrade-guard.ts checks host, origin and peer for /lab and /class alike. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req.socket.remoteAddress ?? 'unknown'));
  }

  private send(conn: Conn, msg: ClassServerMessage): void {
    if (conn.ws.readyState === conn.ws.OPEN && conn.ws.bufferedAmount < 4 * 1024 * 1024) conn.ws.send(JSON.stringify(msg));
  }

  private fail(conn: Conn, code: string, message: string): void {
    this.send(conn, { type: 'error', code, message });
  }

  /** Refuses with a stable code and closes (1008: policy violation). */
  private refuse(conn: Pick<Conn, 'ws'>, code: string, message: string): void {
    if (conn.ws.readyState === conn.ws.OPEN) {
      conn.ws.send(JSON.stringify({ type: 'error', code, message } satisfies ClassServerMessage));
      conn.ws.close(1008, code);
    }
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
    const conn: Conn = {
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
      if (conn.role === 'student') this.seen(conn.studentId!);
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
      if (!this.closed) this.onMessage(conn, msg.data);
    });
    this.send(conn, { type: 'hello', protocol: CLASS_PROTOCOL, class: this.publicInfo });
  }

  private overRate(conn: Conn): void {
    conn.dropped++;
    if (conn.dropped > DROPPED_FRAMES_LIMIT) return this.refuse(conn, 'E_LIMIT', 'Too many messages on this connection.');
    const now = Date.now();
    if (now - conn.limitNoticeAt < 1000) return;
    conn.limitNoticeAt = now;
    this.fail(conn, 'E_LIMIT', `Too many messages: at most ${FRAMES_PER_SECOND} a second. Messages over the limit are dropped.`);
  }

  private onMessage(conn: Conn, msg: ClassClientMessage): void {
    switch (msg.type) {
      case 'join':
        return this.join(conn, msg.code, msg.nickname);
      case 'resume':
        return this.resume(conn, msg.token);
      case 'instructor':
        return this.instructor(conn, msg.key);
      case 'progress':
        return this.saveProgress(conn, msg.lessons, msg.seq);
      case 'leave':
        if (conn.role === 'student') {
          this.seen(conn.studentId!);
          conn.role = 'left';
          conn.studentId = undefined;
          conn.ws.close(1000, 'left the class');
        }
        return;
    }
    if (conn.role !== 'instructor') return this.fail(conn, 'E_FORBIDDEN', 'Only the instructor can do that.');
    switch (msg.type) {
      case 'open-lesson':
        if (msg.slug !== null && !KNOWN_SLUGS.has(msg.slug)) return this.fail(conn, 'E_BAD_REQUEST', 'No such lesson.');
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

  // ------------------------------------------------------------------ who a connection carries

  /** One identity per connection: a second join, resume or key on it is refused. */
  private alreadyIdentified(conn: Conn): boolean {
    if (conn.role === 'none') return false;
    this.fail(conn, 'E_ALREADY_JOINED', 'This connection already carries a student or the instructor; open a new connection for another.');
    return true;
  }

  private identify(conn: Conn, role: 'student' | 'instructor', studentId?: number): void {
    clearTimeout(conn.anonymousTimer);
    this.limits.identified(conn.address);
    conn.role = role;
    conn.studentId = studentId;
  }

  private instructor(conn: Conn, key: string): void {
    if (this.alreadyIdentified(conn)) return;
    if (!sameSecret(key, this.settings.instructorKey)) return this.refuse(conn, 'E_FORBIDDEN', 'That is not the instructor key.');
    this.identify(conn, 'instructor');
    const whole = this.dashboard();
    this.tracker.begin(whole);
    this.send(conn, whole);
  }

  private join(conn: Conn, code: string, nickname: string): void {
    if (this.alreadyIdentified(conn)) return;
    // Someone behind this address is sending wrong codes faster than they are forgiven: for a moment
    // no code from it is checked (right or wrong), so guessing stays slow; the room is only delayed.
    if (this.limits.mustWait(conn.address)) {
      return this.fail(conn, 'E_LIMIT', 'Too many wrong codes from this network address just now: try again in a few seconds.');
    }
    if (!sameSecret(code, this.settings.code)) {
      this.limits.wrongCode(conn.address);
      conn.wrongCodes++;
      this.fail(conn, 'E_BAD_CODE', 'That join code is not right. Check it on the instructor\'s screen.');
      if (conn.wrongCodes >= WRONG_CODES_PER_CONNECTION) this.refuse(conn, 'E_LIMIT', 'Too many wrong codes on this connection.');
      return;
    }
    if (this.settings.endedAt !== null) return this.fail(conn, 'E_ENDED', 'This class has ended.');
    if (!this.limits.mayJoin(conn.address)) {
      return this.fail(conn, 'E_LIMIT', `${this.limits.joinsPerAddress} students have already joined from this network address; ask the instructor to raise --class-students-per-address.`);
    }
    const token = newSecret();
    const row = this.opts.store.addStudent(token, nickname, Date.now(), nicknameKeys(nickname));
    if (!row) return this.fail(conn, 'E_NICK_TAKEN', `Someone in this class is already called ${nickname} (or a name that looks just like it); pick another nickname.`);
    this.limits.joined(conn.address);
    this.students.set(row.id, row);
    this.byToken.set(token, row.id);
    this.enter(conn, row, false);
  }

  private resume(conn: Conn, token: string): void {
    if (this.alreadyIdentified(conn)) return;
    const id = this.byToken.get(token);
    if (id === undefined) return this.fail(conn, 'E_UNKNOWN_STUDENT', 'This browser\'s class membership is not known here; join again with the code.');
    if (this.settings.endedAt !== null) return this.fail(conn, 'E_ENDED', 'This class has ended.');
    this.enter(conn, this.students.get(id)!, true);
  }

  private enter(conn: Conn, student: StudentRow, resumed: boolean): void {
    this.identify(conn, 'student', student.id);
    this.seen(student.id);
    this.send(conn, {
      type: 'joined',
      token: student.token,
      student: { id: student.id, nickname: student.nickname },
      resumed,
      presenting: this.presenting,
      lesson: this.settings.lesson,
      chat: this.chat,
    });
  }

  /** The student was here just now (joined, came back, left): saved with the next batch. */
  private seen(id: number): void {
    if (this.closed) return;
    const s = this.students.get(id);
    if (!s) return;
    s.lastSeen = Date.now();
    this.batch.touch(id, s.lastSeen);
  }

  /** Students with at least one open connection: derived from the connections, so never stale. */
  private onlineIds(): Set<number> {
    const ids = new Set<number>();
    for (const c of this.conns) if (c.role === 'student') ids.add(c.studentId!);
    return ids;
  }

  private saveProgress(conn: Conn, lessons: Record<string, LessonProgressReport>, seq: number | undefined): void {
    if (conn.role !== 'student') return this.fail(conn, 'E_FORBIDDEN', 'Join the class first.');
    if (this.settings.endedAt !== null) return this.fail(conn, 'E_ENDED', 'This class has ended.');
    // A report is the browser's whole state: only the lessons that differ from what is saved (or
    // waiting to be) are written.
    const id = conn.studentId!;
    const saved = { ...this.progress.get(id), ...this.batch.pendingLessons(id) };
    const changed = Object.fromEntries(Object.entries(lessons).filter(([slug, p]) => KNOWN_SLUGS.has(slug) && !sameReport(saved[slug], p)));
    // The acknowledgement goes out only once the batch holding this report is committed.
    const ack = seq === undefined ? undefined : () => this.send(conn, { type: 'progress-saved', seq });
    this.batch.addProgress(id, changed, Date.now(), ack);
  }

  private toStudents(msg: ClassServerMessage): void {
    const text = JSON.stringify(msg);
    for (const c of this.conns) if (c.role === 'student' && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  // ------------------------------------------------------------------ dashboard

  private dashboardState(): DashboardState {
    const online = this.onlineIds();
    const students: StudentSummary[] = [...this.students.values()].map((s) => {
      const pending = this.feed.unsaved.get(s.id);
      return {
        id: s.id,
        nickname: s.nickname,
        online: online.has(s.id),
        joinedAt: s.joinedAt,
        lastSeen: s.lastSeen,
        lessons: this.progress.get(s.id) ?? {},
        labCalls: s.labCalls + (pending?.calls ?? 0),
        labErrors: s.labErrors + (pending?.errors ?? 0),
      };
    });
    return { class: this.info, students, feed: this.feed.items(), errors: this.feed.tallies(Date.now()), presenting: this.presenting };
  }

  private dashboard(): Dashboard {
    return { type: 'dashboard', ...this.dashboardState(), qrSvg: this.qrSvg };
  }

  /** Sends the instructor what changed since the last push; nothing when nothing did. */
  private pushDashboards(): void {
    const instructors = [...this.conns].filter((c) => c.role === 'instructor');
    if (!instructors.length) return this.tracker.reset();
    const delta = this.tracker.delta(this.dashboardState());
    if (!delta) return;
    const text = JSON.stringify(delta);
    for (const c of instructors) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      // A delta may not be skipped (the next one builds on it): a dashboard that cannot keep up is
      // closed instead, and its page reconnects and starts again from a snapshot.
      if (c.ws.bufferedAmount > 4 * 1024 * 1024) c.ws.close(1013, 'dashboard fell behind');
      else c.ws.send(text);
    }
  }

  /** Writes lab-call counts gathered since the last flush. */
  private flushLabCounts(): void {
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
    this.flushLabCounts();
    this.batch.flush();
    this.settings.endedAt = at;
    this.opts.store.endClass(at);
    this.presenting = null;
    this.toStudents({ type: 'class-ended', message: 'Your instructor ended the class. Thank you for taking part!' });
    for (const c of this.conns) if (c.role === 'student') c.ws.close(1000, 'the class has ended');
    this.opts.lab.endSessions((s) => s.label.studentId !== undefined, 'The class has ended.');
    this.chatSession?.end('ended', 'The class has ended.');
    this.chatSession = null;
    this.chat = null;
    this.pushDashboards();
  }

  close(): void {
    if (this.closed) return;
    for (const t of this.timers) clearInterval(t);
    this.flushLabCounts();
    this.batch.flush();
    this.batch.close();
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
