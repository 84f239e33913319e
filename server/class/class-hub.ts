/**
 * Class hosting: what each /class message does. Who a connection carries (a student or the
 * instructor, after the code or the key), presenter mode, "open a lesson for everyone", the
 * student tag on lab sessions, and the end of the class. The parts with a job of their own are
 * beside it: the roster and progress (class-roster.ts), the WebSocket (class-socket.ts), the
 * dashboards (class-dashboard.ts), the CSV summary over HTTP (summary-http.ts) and the class chat
 * server (class-chat.ts; one for the class across instances, chat-owner.ts).
 * Students only ever get their own data and the class-wide pushes; the join code and the dashboard
 * go to the instructor only, after the key. docs/protocol.md lists what is enforced.
 *
 * The store is the state of record (class-store.ts): a join reads the code, the end and the open
 * lesson from it, a resume looks the token up in it, the instructor's key is checked against it.
 * Messages of one connection are handled one at a time, in order, even though each may wait for
 * the store. When the store is away, what needs it is answered E_STORE_UNAVAILABLE; the lab goes on.
 *
 * Other instances serving the same class hear of every change over the event bus (class-bus.ts,
 * class-events.ts) and apply it to their own dashboards and students; the store stays the record.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { qrSvg } from './qr.ts';
import type { ClassClientMessage, ClassInfo, LessonProgressReport, PublicClassInfo } from '../protocol/class.ts';
import type { Step } from '../protocol/index.ts';
import type { LabHub, LiveSession, SessionHandle } from '../lab/hub.ts';
import type { SessionDeps } from '../lab/session.ts';
import { classBusId, LocalBus, type ClassBus } from './class-bus.ts';
import type { ClassEvent } from './class-events.ts';
import { RemoteSession } from './remote-session.ts';
import { sameSecret } from './class-codes.ts';
import { startClassChat } from './class-chat.ts';
import { ChatOwner, type ChatAddress } from './chat-owner.ts';
import { ClassDashboards } from './class-dashboard.ts';
import { ClassFeed } from './class-feed.ts';
import { ClassRoster } from './class-roster.ts';
import { ClassSockets, type ClassConn } from './class-socket.ts';
import { StoreUnavailableError, type ClassSettings, type ClassStore, type StudentRow, type WrongCodeLimit } from './class-store.ts';
import { AddressLimits, WRONG_CODES_PER_CONNECTION, localWrongCodeLimit, sharedWrongCodeLimit } from './limits.ts';
import { serveSummary } from './summary-http.ts';

const DASHBOARD_MS = 1000;
const FLUSH_MS = 3000;
const SWEEP_MS = 60_000;
/** Another instance not heard from for this long is taken to be gone, with its students' presence. */
const PRESENCE_EXPIRES_MS = 3.5 * DASHBOARD_MS;

const KNOWN_SLUGS: ReadonlySet<string> = new Set(LESSON_SLUGS);

export interface ClassHubOptions {
  store: ClassStore;
  /** The wrong-code limit; shared between instances when they share one (else this instance's own). */
  wrongCodes?: WrongCodeLimit;
  lab: LabHub;
  sessionDeps: SessionDeps;
  studentUrl: string;
  /** This machine's network addresses, shown to the instructor when the students' link is on loopback. */
  machineAddresses: string[];
  /** Where the class chat server listens (the host's address) and the first port to try. */
  chatAddress: string;
  chatPort: number;
  allowedOrigins: string[];
  /** Students who may join from one client address (a classroom behind one NAT is one address). */
  studentsPerAddress: number;
  /** Where the other instances serving this class are told what changed (default: none). */
  bus?: ClassBus;
  /**
   * The class chat started, moved (to another instance, or here) or stopped: lab sockets here may
   * reach exactly that address and port, wherever it is.
   */
  chatMoved?: (chat: ChatAddress | null) => void;
}

/** A short text for one lab call, for the instructor's feed. */
function callText(step: Step): string {
  const a: Record<string, unknown> = step.args;
  const where = a.address !== undefined ? `${a.address}:${a.port}` : '';
  // A challenge check names its challenge: the instructor sees who is trying which one.
  const challenge = step.op === 'check' ? step.args.challenge : undefined;
  return `${step.op}(${[a.sock, where, challenge].filter(Boolean).join(', ')})`;
}

export class ClassHub {
  private readonly feed: ClassFeed;
  private readonly roster: ClassRoster;
  private readonly limits: AddressLimits;
  private readonly wrongCodes: WrongCodeLimit;
  /** Each connection's messages, handled one after another. */
  private readonly queues = new WeakMap<ClassConn, Promise<void>>();
  /** The join-code check running for each address (checkCode). */
  private readonly codeChecks = new Map<string, Promise<ClassSettings | null>>();
  private readonly sockets: ClassSockets;
  private readonly dashboards: ClassDashboards;
  private readonly timers: NodeJS.Timeout[] = [];
  private settings: ClassSettings;
  private presenting: string | null = null;
  /** Student id → the watch token of the lab session they share with the instructor. */
  private readonly sharedLabs = new Map<number, string>();
  private qrSvg = '';
  /** The class chat: started here, or found on the instance that holds it. */
  private readonly chatOwner: ChatOwner;
  private closed = false;
  private readonly bus: ClassBus;
  /** Who is online on each other instance, and when it last said so. */
  private readonly remoteOnline = new Map<string, { ids: number[]; at: number }>();
  /** The presenter's session when it lives on another instance, watchable here. */
  private remotePresented: RemoteSession | null = null;
  /** Stops publishing the presented session's events (it is presented from this instance). */
  private stopPublishing: (() => void) | null = null;

  /** The class as the store holds it; rejects when none was started there (open-class.ts does that). */
  static async create(opts: ClassHubOptions): Promise<ClassHub> {
    const settings = await opts.store.settings();
    if (!settings) throw new Error('no class in the store: openClass() first');
    return new ClassHub(opts, settings, await ClassRoster.load(opts.store, new ClassFeed()));
  }

  private constructor(
    private readonly opts: ClassHubOptions,
    settings: ClassSettings,
    roster: ClassRoster,
  ) {
    this.settings = settings;
    this.roster = roster;
    this.feed = roster.feed;
    this.bus = opts.bus ?? new LocalBus();
    this.roster.events = {
      progressCommitted: (studentId, lessons) => this.bus.publish({ type: 'progress', studentId, lessons }),
      seen: (studentId, at) => this.bus.publish({ type: 'seen', studentId, at }),
    };
    this.limits = new AddressLimits(opts.studentsPerAddress);
    // Several instances: wrong codes are also counted in Redis, so N instances do not give a guesser N allowances.
    const local = localWrongCodeLimit(this.limits);
    this.wrongCodes = opts.wrongCodes ?? (this.bus.shared ? sharedWrongCodeLimit(local, this.bus) : local);
    this.sockets = new ClassSockets(this.limits, {
      publicInfo: () => this.publicInfo,
      onMessage: (conn, msg) => this.queue(conn, msg),
      onClose: (conn) => {
        if (conn.role === 'student') this.roster.seen(conn.studentId!);
      },
    });
    this.dashboards = new ClassDashboards(this.sockets, {
      info: () => this.info,
      students: () => this.roster.all(),
      progress: (id) => this.roster.progressOf(id),
      feed: this.feed,
      presenting: () => this.presenting,
      sharedLab: (id) => this.sharedLab(id),
      qrSvg: () => this.qrSvg,
      online: () => this.onlineIds(),
      partial: () => this.bus.shared && !this.bus.up,
    });
    this.timers.push(
      setInterval(() => {
        this.announcePresence();
        this.dashboards.push();
      }, DASHBOARD_MS),
      setInterval(() => void this.roster.flushLabCounts().catch(() => {}), FLUSH_MS),
      setInterval(() => this.limits.sweep(), SWEEP_MS),
    );
    for (const t of this.timers) t.unref();
    this.chatOwner = new ChatOwner(this.bus, () => startClassChat(opts.sessionDeps, opts.chatAddress, opts.chatPort), (chat) => {
      opts.chatMoved?.(chat);
      this.dashboards.push();
    });
  }

  /** The class chat, wherever it runs; null when there is none. */
  get chat(): ChatAddress | null {
    return this.chatOwner.chat;
  }

  /** True when the class chat's server runs on this instance. */
  get chatHere(): boolean {
    return this.chatOwner.owned;
  }

  /**
   * Reloads the settings and the roster from the store: for an event bus between instances, when
   * another instance changed the class (a join, progress, the open lesson, the end).
   */
  async refresh(): Promise<void> {
    await Promise.all([this.freshSettings(), this.roster.refresh()]);
  }

  /** Prepares what start-up needs: the QR code and, unless the class has ended, the class chat server. */
  async start(): Promise<void> {
    this.qrSvg = qrSvg(this.opts.studentUrl);
    await this.bus.start(classBusId(this.settings.code, this.settings.startedAt), {
      event: (e, from) => this.onBusEvent(e, from),
      status: (up) => this.onBusStatus(up),
    });
    this.bus.publish({ type: 'hello' });
    if (this.settings.endedAt !== null) return;
    await this.chatOwner.start();
  }

  /** The whole class, for the instructor and the terminal banner. */
  get info(): ClassInfo {
    return { ...this.publicInfo, code: this.settings.code, studentUrl: this.opts.studentUrl, chat: this.chat, machineAddresses: this.opts.machineAddresses };
  }

  /** What anyone who opens /class may know: no code. */
  get publicInfo(): PublicClassInfo {
    return { title: this.settings.title, startedAt: this.settings.startedAt, endedAt: this.settings.endedAt };
  }

  get studentCount(): number {
    return this.roster.size;
  }

  /** The /class WebSocket (class-socket.ts). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.handleUpgrade(req, socket, head);
  }

  /** GET /class/summary.csv for the instructor (summary-http.ts); returns false for other paths. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    return serveSummary(req, res, {
      instructorKey: this.settings.instructorKey,
      startedAt: this.settings.startedAt,
      csv: () => this.roster.summaryCsv(LESSON_SLUGS, this.onlineIds()),
    });
  }

  // ------------------------------------------------------------------ lab sessions

  /** Tags a lab session opened as `/lab?student=<token>` so its calls reach the instructor's feed. */
  labelLabSession(session: SessionHandle, url: URL): void {
    const token = url.searchParams.get('student');
    if (!token) return;
    const cached = this.roster.cachedByToken(token);
    if (cached) return this.label(session, cached);
    // A student this instance has not seen yet (they joined through another): asked of the store,
    // and the session's worker told once the answer is in.
    void this.roster.byTokenOf(token).then(
      (student) => {
        if (!student) return;
        this.label(session, student);
        session.changed();
      },
      () => {},
    );
  }

  private label(session: SessionHandle, student: StudentRow): void {
    const id = student.id;
    session.label = { studentId: id, nickname: student.nickname };
    session.onStep = (step) => {
      if (step.status === 'blocked') return;
      const call = { at: step.end ?? Date.now(), studentId: id, student: student.nickname, call: callText(step), outcome: step.status === 'ok' ? 'ok' : (step.error?.code ?? 'error') };
      this.feed.record(call);
      this.bus.publish({ type: 'call', ...call });
    };
  }

  /** The presenter's session when it lives on another instance: its viewers here watch it (lab hub). */
  remoteSession(watchToken: string): RemoteSession | undefined {
    return this.remotePresented?.watchToken === watchToken ? this.remotePresented : undefined;
  }

  // ------------------------------------------------------------------ the other instances

  /** Students online here, and on every other instance heard from lately. */
  private onlineIds(): Set<number> {
    const ids = this.sockets.onlineIds();
    const now = Date.now();
    for (const [instance, p] of this.remoteOnline) {
      if (now - p.at > PRESENCE_EXPIRES_MS) this.remoteOnline.delete(instance);
      else for (const id of p.ids) ids.add(id);
    }
    return ids;
  }

  private announcePresence(): void {
    if (this.bus.shared) this.bus.publish({ type: 'presence', online: [...this.sockets.onlineIds()] });
  }

  private onBusEvent(e: ClassEvent, from: string): void {
    if (this.closed) return;
    switch (e.type) {
      case 'joined':
        return this.roster.adopt(e.student);
      case 'progress':
        return this.roster.applyProgress(e.studentId, e.lessons);
      case 'seen':
        return this.roster.seenElsewhere(e.studentId, e.at);
      case 'call':
        this.feed.record(e, false);
        return this.roster.callElsewhere(e.studentId, e.outcome === 'ok');
      case 'presence':
        this.remoteOnline.set(from, { ids: e.online, at: Date.now() });
        return;
      case 'presenting':
        return this.presentedElsewhere(e.watchToken, e.session);
      case 'lab-event':
        // Checked as an object with an `event` name on arrival; the page checks the rest, as it does for local events.
        return this.remotePresented?.watchToken === e.watchToken ? this.remotePresented.deliver(e.event as never) : undefined;
      case 'hello':
        // The sender was away (or is new): what it wrote meanwhile is in the store, its events are not.
        this.refreshFromStore();
        return this.announcePresenting();
      case 'open-lesson':
        this.settings.lesson = e.slug;
        return this.sockets.toStudents({ type: 'open-lesson', slug: e.slug });
      case 'end-class':
        return void this.endClass(e.at).catch((err: unknown) => console.error(`class: ending the class here failed: ${(err as Error).message}`));
    }
  }

  /**
   * The bus went down: the dashboard says the view is partial (the others' presence runs out by
   * itself). It came back: whatever was missed is in the store, so the roster reloads from it, and
   * this instance tells the others who is here and what it presents.
   */
  private onBusStatus(up: boolean): void {
    if (this.closed) return;
    if (up) {
      this.refreshFromStore();
      this.announcePresence();
      this.announcePresenting();
      this.bus.publish({ type: 'hello' });
    }
    this.dashboards.push();
  }

  /** Reloads the roster from the store, where every acknowledged write is, after events may have been missed. */
  private refreshFromStore(): void {
    void this.roster.refresh().then(
      () => this.dashboards.push(),
      () => {}, // the store is away too: the next reconnect or hello brings it
    );
  }

  /** Tells the others what this instance presents, if it presents (a new or returning instance missed it). */
  private announcePresenting(): void {
    const session = this.stopPublishing && this.presenting ? this.opts.lab.sessionByWatchToken(this.presenting) : undefined;
    if (session) this.bus.publish({ type: 'presenting', watchToken: session.watchToken, session: session.id });
  }

  private presentedElsewhere(watchToken: string | null, session: string | null): void {
    // Said again (an instance started or reconnected): its viewers here stay attached.
    if (watchToken !== null && this.remotePresented?.watchToken === watchToken && !this.remotePresented.ended) return;
    this.stopPublishing?.();
    this.stopPublishing = null;
    this.remotePresented?.end();
    this.remotePresented = watchToken && session ? new RemoteSession(session, watchToken) : null;
    this.presenting = watchToken;
    this.sockets.toStudents({ type: 'presenting', watchToken });
  }

  /** The instructor here presents a session of this instance (or stops): its events go to the other instances too. */
  private presentHere(watchToken: string | null, session: LiveSession | undefined): void {
    this.stopPublishing?.();
    this.stopPublishing = null;
    this.remotePresented?.end();
    this.remotePresented = null;
    this.presenting = watchToken;
    if (session && this.bus.shared) {
      this.stopPublishing = session.attach((event) => this.bus.publish({ type: 'lab-event', watchToken: session.watchToken, event }), 'viewer');
    }
    this.bus.publish({ type: 'presenting', watchToken, session: session?.id ?? null });
    this.sockets.toStudents({ type: 'presenting', watchToken });
  }

  // ------------------------------------------------------------------ messages

  /** Runs the message after the connection's earlier ones; a store that is away is answered, not thrown. */
  private queue(conn: ClassConn, msg: ClassClientMessage): void {
    const run = (this.queues.get(conn) ?? Promise.resolve())
      .then(() => this.onMessage(conn, msg))
      .catch((e: unknown) => {
        if (e instanceof StoreUnavailableError) return this.sockets.fail(conn, e.code, 'The class database is not reachable just now; try again in a moment (the lab keeps working).');
        console.error(`class: ${msg.type} failed: ${(e as Error).stack ?? String(e)}`);
        this.sockets.fail(conn, 'E_INTERNAL', 'Something went wrong on the server; try again.');
      });
    this.queues.set(conn, run);
  }

  private async onMessage(conn: ClassConn, msg: ClassClientMessage): Promise<void> {
    if (this.closed) return;
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
          this.roster.seen(conn.studentId!);
          conn.role = 'left';
          conn.studentId = undefined;
          conn.ws.close(1000, 'left the class');
        }
        return;
      case 'share-lab':
        return this.shareLab(conn, msg.watchToken);
    }
    if (conn.role !== 'instructor') return this.sockets.fail(conn, 'E_FORBIDDEN', 'Only the instructor can do that.');
    switch (msg.type) {
      case 'open-lesson':
        if (msg.slug !== null && !KNOWN_SLUGS.has(msg.slug)) return this.sockets.fail(conn, 'E_BAD_REQUEST', 'No such lesson.');
        await this.opts.store.setLesson(msg.slug);
        this.settings.lesson = msg.slug;
        this.bus.publish({ type: 'open-lesson', slug: msg.slug });
        return this.sockets.toStudents({ type: 'open-lesson', slug: msg.slug });
      case 'present': {
        const session = msg.watchToken === null ? undefined : this.opts.lab.sessionByWatchToken(msg.watchToken);
        if (msg.watchToken !== null && !session) return this.sockets.fail(conn, 'E_BAD_REQUEST', 'That lab session is not live.');
        await this.opts.store.setPresenting(msg.watchToken);
        return this.presentHere(msg.watchToken, session);
      }
      case 'end-class':
        return this.endClass(null);
    }
  }

  // ------------------------------------------------------------------ a student's shared lab

  private shareLab(conn: ClassConn, watchToken: string | null): void {
    if (conn.role !== 'student') return this.sockets.fail(conn, 'E_FORBIDDEN', 'Only a student who joined can share their lab.');
    const id = conn.studentId!;
    if (watchToken === null) {
      this.sharedLabs.delete(id);
    } else {
      // Only the student's own live session: a watch token seen elsewhere (the presenter's, say)
      // must not appear on the dashboard under this student's name.
      const session = this.opts.lab.sessionByWatchToken(watchToken);
      if (session?.label.studentId !== id) return this.sockets.fail(conn, 'E_BAD_REQUEST', 'That is not a live lab session of yours.');
      this.sharedLabs.set(id, watchToken);
    }
    this.sockets.send(conn, { type: 'sharing', watchToken });
  }

  /** The student's shared session while it is live; a session that ended is forgotten. */
  private sharedLab(id: number): string | null {
    const token = this.sharedLabs.get(id);
    if (token === undefined) return null;
    if (this.opts.lab.sessionByWatchToken(token)) return token;
    this.sharedLabs.delete(id);
    return null;
  }

  // ------------------------------------------------------------------ who a connection carries

  /** One identity per connection: a second join, resume or key on it is refused. */
  private alreadyIdentified(conn: ClassConn): boolean {
    if (conn.role === 'none') return false;
    this.sockets.fail(conn, 'E_ALREADY_JOINED', 'This connection already carries a student or the instructor; open a new connection for another.');
    return true;
  }

  /**
   * The settings as the store holds them now (another instance may have changed them), kept as
   * the cache; the cached ones when the store is away and `orCached`.
   */
  private async freshSettings(orCached = false): Promise<ClassSettings> {
    try {
      const s = await this.opts.store.settings();
      if (s) this.settings = { ...s, presenting: this.settings.presenting };
    } catch (e) {
      if (!(orCached && e instanceof StoreUnavailableError)) throw e;
    }
    return this.settings;
  }

  private async instructor(conn: ClassConn, key: string): Promise<void> {
    if (this.alreadyIdentified(conn)) return;
    // The instructor's dashboard works from this instance's cache while the store is away.
    const settings = await this.freshSettings(true);
    if (!sameSecret(key, settings.instructorKey)) return this.sockets.refuse(conn, 'E_FORBIDDEN', 'That is not the instructor key.');
    this.sockets.identify(conn, 'instructor');
    this.dashboards.welcome(conn);
  }

  private async join(conn: ClassConn, code: string, nickname: string): Promise<void> {
    if (this.alreadyIdentified(conn)) return;
    const settings = await this.checkCode(conn, code);
    if (!settings) return;
    if (settings.endedAt !== null) return this.sockets.fail(conn, 'E_ENDED', 'This class has ended.');
    if (!this.limits.mayJoin(conn.address)) {
      return this.sockets.fail(conn, 'E_LIMIT', `${this.limits.joinsPerAddress} students have already joined from this network address; ask the instructor to raise --class-students-per-address.`);
    }
    // Counted before the store is asked, so racing joins from one address cannot pass the limit together.
    this.limits.joined(conn.address);
    let row: StudentRow | null;
    try {
      row = await this.roster.add(nickname, Date.now());
    } catch (e) {
      this.limits.unjoined(conn.address);
      throw e;
    }
    if (!row) {
      this.limits.unjoined(conn.address);
      return this.sockets.fail(conn, 'E_NICK_TAKEN', `Someone in this class is already called ${nickname} (or a name that looks just like it); pick another nickname.`);
    }
    this.bus.publish({ type: 'joined', student: row });
    this.enter(conn, row, false);
  }

  /**
   * The join code against the store's, with the wrong-code limit; the settings when it is right,
   * else null (answered). One check at a time per address: with the store's answer awaited in
   * between, racing guesses from one address would otherwise all pass the limit before any counted.
   */
  private checkCode(conn: ClassConn, code: string): Promise<ClassSettings | null> {
    const run = (this.codeChecks.get(conn.address) ?? Promise.resolve()).catch(() => {}).then(async () => {
      // Someone behind this address is sending wrong codes faster than they are forgiven: for a moment
      // no code from it is checked (right or wrong), so guessing stays slow; the room is only delayed.
      if (await this.wrongCodes.mustWait(conn.address)) {
        this.sockets.fail(conn, 'E_LIMIT', 'Too many wrong codes from this network address just now: try again in a few seconds.');
        return null;
      }
      const settings = await this.freshSettings();
      if (sameSecret(code, settings.code)) return settings;
      await this.wrongCodes.wrongCode(conn.address);
      conn.wrongCodes++;
      this.sockets.fail(conn, 'E_BAD_CODE', 'That join code is not right. Check it on the instructor\'s screen.');
      if (conn.wrongCodes >= WRONG_CODES_PER_CONNECTION) this.sockets.refuse(conn, 'E_LIMIT', 'Too many wrong codes on this connection.');
      return null;
    });
    this.codeChecks.set(conn.address, run);
    const forget = () => {
      if (this.codeChecks.get(conn.address) === run) this.codeChecks.delete(conn.address);
    };
    run.then(forget, forget);
    return run;
  }

  private async resume(conn: ClassConn, token: string): Promise<void> {
    if (this.alreadyIdentified(conn)) return;
    const student = await this.roster.byTokenOf(token);
    if (!student) return this.sockets.fail(conn, 'E_UNKNOWN_STUDENT', 'This browser\'s class membership is not known here; join again with the code.');
    const settings = await this.freshSettings(true);
    if (settings.endedAt !== null) return this.sockets.fail(conn, 'E_ENDED', 'This class has ended.');
    this.enter(conn, student, true);
  }

  private enter(conn: ClassConn, student: StudentRow, resumed: boolean): void {
    this.sockets.identify(conn, 'student', student.id);
    this.roster.seen(student.id);
    this.sockets.send(conn, {
      type: 'joined',
      token: student.token,
      student: { id: student.id, nickname: student.nickname },
      resumed,
      presenting: this.presenting,
      lesson: this.settings.lesson,
      chat: this.chat,
    });
  }

  private saveProgress(conn: ClassConn, lessons: Record<string, LessonProgressReport>, seq: number | undefined): void {
    if (conn.role !== 'student') return this.sockets.fail(conn, 'E_FORBIDDEN', 'Join the class first.');
    if (this.settings.endedAt !== null) return this.sockets.fail(conn, 'E_ENDED', 'This class has ended.');
    const unknown = Object.keys(lessons).filter((slug) => !KNOWN_SLUGS.has(slug));
    if (unknown.length) {
      // Not dropped in silence: the rest of the report is still saved (and acknowledged).
      this.sockets.fail(conn, 'E_UNKNOWN_LESSON', `No lesson here is called ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` (and ${unknown.length - 3} more)` : ''}; progress for it was not saved.`);
    }
    const known = Object.fromEntries(Object.entries(lessons).filter(([slug]) => KNOWN_SLUGS.has(slug)));
    // The acknowledgement goes out only once the batch holding this report is committed.
    const ack = seq === undefined ? undefined : () => this.sockets.send(conn, { type: 'progress-saved', seq });
    const failed = () =>
      this.sockets.fail(conn, 'E_STORE_UNAVAILABLE', 'Your progress is not saved yet: the class database is not reachable just now. It is kept and saved when the database is back.');
    this.roster.saveProgress(conn.studentId!, known, ack, failed);
  }

  // ------------------------------------------------------------------ the end

  /** The instructor ends the class here (`endedAt` null), or another instance says it ended (and stored it). */
  private async endClass(endedAt: number | null): Promise<void> {
    if (this.settings.endedAt !== null) return;
    const at = endedAt ?? Date.now();
    await this.roster.flush();
    if (endedAt === null) {
      await this.opts.store.endClass(at);
      this.bus.publish({ type: 'end-class', at });
    }
    this.settings.endedAt = at;
    this.presenting = null;
    this.stopPublishing?.();
    this.stopPublishing = null;
    this.remotePresented?.end('The class has ended.');
    this.remotePresented = null;
    this.sockets.toStudents({ type: 'class-ended', message: 'Your instructor ended the class. Thank you for taking part!' });
    this.sockets.closeStudents(1000, 'the class has ended');
    this.opts.lab.endSessions((s) => s.label.studentId !== undefined, 'The class has ended.');
    await this.chatOwner.stop('ended', 'The class has ended.');
    this.dashboards.push();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.stopPublishing?.();
    this.remotePresented?.end('The server is stopping.');
    // Before the bus closes: the lease is given up, so another instance takes the chat at once.
    await this.chatOwner.stop('shutdown', 'The server is stopping.');
    await this.bus.close();
    this.sockets.close();
    await this.roster.close();
    await this.opts.store.close();
  }
}
