/**
 * A student's connection to the class (/class WebSocket): join with a code and a nickname or resume
 * with the stored token, report progress, take the instructor's pushes (presenter mode, "open this
 * lesson", the end of the class), and reconnect on its own when the connection drops. Free of React
 * and of browser globals (they come in as options), so a test can drive it with `ws` against a
 * server on loopback.
 */
import { JoinCodeSchema, NicknameSchema, type ClassServerMessage, type PublicClassInfo } from '@/server/protocol/class';
import type { ClassMembership } from './class-store';
import { backoffDelay, type Backoff } from '../backoff';
import { openSocketLike, sendMessage } from './class-socket';
import type { OpenSocket, SocketLike } from '../socket';
import { lessonLabel } from './format';
import type { ProgressReport } from './progress-report';

export type ClassStatus =
  /** Not in a class (never joined, or stopped). */
  | 'idle'
  /** The first connection of this page: joining or resuming. */
  | 'connecting'
  | 'connected'
  /** The connection dropped; trying again with growing delays. */
  | 'reconnecting'
  /** The instructor ended the class. */
  | 'ended'
  /** This browser left the class, or the class no longer knows it. */
  | 'left';

export interface ClassNotice {
  id: number;
  text: string;
  tone: 'info' | 'warning';
}

export interface ClassState {
  status: ClassStatus;
  /** What the server says about the class before joining: its title, whether it ended. */
  info: PublicClassInfo | null;
  membership: ClassMembership | null;
  /** The class chat server, told once joined. */
  chat: { address: string; port: number } | null;
  presenting: string | null;
  /** The watch token of this student's lab session the instructor can watch (share-lab), or null. */
  sharing: string | null;
  /** The lesson the instructor last opened for everyone (null: the course map, or none). */
  lesson: string | null;
  /** The newest "open this lesson" push; the UI navigates once per id. */
  lessonPush: { id: number; slug: string | null } | null;
  notice: ClassNotice | null;
  /** The server's last error reply (one that did not end the membership). */
  error: { code: string; message: string } | null;
}

export type JoinResult = { ok: true } | { ok: false; code: string; message: string };

export interface MembershipStore {
  read(): ClassMembership | null;
  save(m: ClassMembership): void;
  forget(): void;
}

export interface ClassConnectionOptions {
  url: () => string;
  createSocket: OpenSocket;
  store: MembershipStore;
  backoff?: Backoff;
  progressDebounceMs?: number;
  /** How long a join waits for the server's answer. */
  answerTimeoutMs?: number;
  random?: () => number;
}

export const LAB_RESET_NOTICE =
  'You are back in the class. The connection dropped (the server may have restarted), so your lab was reset: any sockets you had open are gone. Start again from socket().';

const INITIAL: ClassState = {
  status: 'idle',
  info: null,
  membership: null,
  chat: null,
  presenting: null,
  sharing: null,
  lesson: null,
  lessonPush: null,
  notice: null,
  error: null,
};

export const INITIAL_CLASS_STATE = INITIAL;

interface PendingJoin {
  code: string;
  nickname: string;
  resolve: (r: JoinResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ClassConnection {
  private state: ClassState = INITIAL;
  private readonly listeners = new Set<() => void>();
  private ws: SocketLike | null = null;
  private helloSeen = false;
  private joinedHere = false;
  /** A connection on which we were joined was lost: the next `joined` says the lab was reset. */
  private dropped = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingJoin: PendingJoin | null = null;
  private progress: ProgressReport | null = null;
  private lastSentProgress: string | null = null;
  private progressSeq = 0;
  private sentSinceJoined = false;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private lastTakenPush = 0;
  private readonly backoff: Backoff;

  constructor(private readonly opts: ClassConnectionOptions) {
    this.backoff = opts.backoff ?? { baseMs: 500, maxMs: 10_000 };
  }

  getState = (): ClassState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** True while a connection is open, opening, or waiting to retry. */
  get active(): boolean {
    return this.ws !== null || this.retryTimer !== undefined;
  }

  /** Resumes the stored membership, if there is one and nothing is running yet. */
  start(): void {
    if (this.active || this.pendingJoin) return;
    const m = this.opts.store.read();
    if (!m) return;
    this.set({ ...INITIAL, status: 'connecting', membership: m, notice: this.state.notice });
    this.open();
  }

  /** Joins for the first time. The code and nickname are checked here too, before any connection. */
  join(code: string, nickname: string): Promise<JoinResult> {
    if (this.pendingJoin) return Promise.resolve({ ok: false, code: 'E_BUSY', message: 'Already joining: wait for the answer.' });
    const c = JoinCodeSchema.safeParse(code);
    if (!c.success) return Promise.resolve({ ok: false, code: 'E_BAD_CODE', message: c.error.issues[0]?.message ?? 'not a join code' });
    const n = NicknameSchema.safeParse(nickname);
    if (!n.success) return Promise.resolve({ ok: false, code: 'E_BAD_NICKNAME', message: n.error.issues[0]?.message ?? 'not a nickname' });
    this.closeSocket();
    this.dropped = false;
    this.attempt = 0;
    this.set({ ...INITIAL, status: 'connecting' });
    return new Promise<JoinResult>((resolve) => {
      const timer = setTimeout(
        () => this.failJoin({ ok: false, code: 'E_TIMEOUT', message: 'The class server did not answer in time. Try again.' }),
        this.opts.answerTimeoutMs ?? 10_000,
      );
      this.pendingJoin = { code: c.data, nickname: n.data, resolve, timer };
      this.open();
    });
  }

  /** Leaves on purpose: the server is told, and this browser forgets the class. */
  leave(): void {
    if (this.joinedHere) sendMessage(this.ws, { type: 'leave' });
    this.closeSocket();
    this.opts.store.forget();
    this.set({ ...INITIAL, status: 'left', info: this.state.info, notice: this.notice('You left the class.', 'info') });
  }

  /** The stored membership changed (another tab joined or left). */
  membershipChanged(): void {
    const m = this.opts.store.read();
    if (!m && (this.active || this.state.status === 'connected')) {
      this.closeSocket();
      this.set({ ...INITIAL, status: 'left', notice: this.notice('This browser left the class (in another tab).', 'info') });
    } else if (m && !this.active && !this.pendingJoin) {
      this.start();
    }
  }

  /** Skips the wait before the next reconnect attempt (the browser came back online). */
  retryNow(): void {
    if (this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.open();
  }

  /** The learner's progress; sent at once after joining, then 500 ms after the last change. */
  setProgress(report: ProgressReport): void {
    this.progress = report;
    if (!this.joinedHere) return;
    if (!this.sentSinceJoined) {
      this.sendProgress();
      return;
    }
    clearTimeout(this.progressTimer);
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.sendProgress();
    }, this.opts.progressDebounceMs ?? 500);
  }

  /** True once per push: the caller navigates; a remount or a second caller does not. */
  takeLessonPush(id: number): boolean {
    if (id <= this.lastTakenPush) return false;
    this.lastTakenPush = id;
    return true;
  }

  /** Lets the instructor watch this lab session read-only (its watch token), or stops (null). */
  shareLab(watchToken: string | null): boolean {
    if (this.state.status !== 'connected') return false;
    return sendMessage(this.ws, { type: 'share-lab', watchToken });
  }

  dismissNotice(id: number): void {
    if (this.state.notice?.id === id) this.set({ notice: null });
  }

  /** Closes everything without telling the server anything (tests, page teardown). */
  dispose(): void {
    this.closeSocket();
    if (this.pendingJoin) this.failJoin({ ok: false, code: 'E_CANCELLED', message: 'Cancelled.' });
  }

  // -------------------------------------------------------------------------------------

  private set(patch: Partial<ClassState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private notice(text: string, tone: ClassNotice['tone']): ClassNotice {
    return { id: ++this.seq, text, tone };
  }

  private open(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.helloSeen = false;
    this.joinedHere = false;
    this.ws = openSocketLike(this.opts.createSocket, this.opts.url(), {
      isCurrent: (ws) => this.ws === ws, // a socket we let go of on purpose is ignored
      onMessage: (msg) => this.onMessage(msg),
      onClose: () => {
        this.ws = null;
        this.afterClose();
      },
    });
  }

  private onMessage(msg: ClassServerMessage): void {
    switch (msg.type) {
      case 'hello': {
        this.helloSeen = true;
        this.set({ info: msg.class });
        const join = this.pendingJoin;
        if (join) {
          sendMessage(this.ws, { type: 'join', code: join.code, nickname: join.nickname });
          return;
        }
        const m = this.opts.store.read();
        if (m) sendMessage(this.ws, { type: 'resume', token: m.token });
        else this.stopAs('idle', null);
        return;
      }
      case 'joined': {
        const join = this.pendingJoin;
        // The server never sends the code to a student: it is the one they typed, or stored then.
        const code = join?.code ?? this.opts.store.read()?.code ?? '';
        const membership: ClassMembership = { token: msg.token, nickname: msg.student.nickname, code };
        this.opts.store.save(membership);
        const notice = this.dropped && msg.resumed ? this.notice(LAB_RESET_NOTICE, 'warning') : this.state.notice;
        this.dropped = false;
        this.joinedHere = true;
        this.attempt = 0;
        this.set({ status: 'connected', membership, chat: msg.chat, presenting: msg.presenting, sharing: null, lesson: msg.lesson, notice, error: null });
        if (join) {
          this.pendingJoin = null;
          clearTimeout(join.timer);
          join.resolve({ ok: true });
        }
        this.sentSinceJoined = false;
        this.lastSentProgress = null;
        this.sendProgress();
        return;
      }
      case 'presenting': {
        if (msg.watchToken === this.state.presenting) return;
        const text = msg.watchToken
          ? 'Your instructor is presenting their lab: choose “Follow the instructor” to watch it live.'
          : 'Your instructor stopped presenting their lab.';
        this.set({ presenting: msg.watchToken, notice: this.notice(text, 'info') });
        return;
      }
      case 'sharing':
        this.set({ sharing: msg.watchToken });
        return;
      case 'open-lesson': {
        const text = msg.slug ? `Your instructor opened ${lessonLabel(msg.slug)}.` : 'Your instructor opened the course map.';
        this.set({ lesson: msg.slug, lessonPush: { id: ++this.seq, slug: msg.slug }, notice: this.notice(text, 'info') });
        return;
      }
      case 'class-ended': {
        if (this.pendingJoin) this.failJoin({ ok: false, code: 'E_ENDED', message: msg.message });
        this.stopAs('ended', this.notice(`The class has ended. ${msg.message}`.trim(), 'warning'));
        this.opts.store.forget();
        return;
      }
      case 'error':
        this.onError(msg.code, msg.message);
        return;
      case 'progress-saved':
        return; // reports are resent whole after every (re)join, so a lost one needs no bookkeeping
      case 'dashboard':
      case 'dashboard-delta':
        return; // for instructors only
    }
  }

  private onError(code: string, message: string): void {
    if (this.pendingJoin) {
      this.failJoin({ ok: false, code, message });
      return;
    }
    if (!this.joinedHere && (code === 'E_UNKNOWN_STUDENT' || code === 'E_ENDED')) {
      if (code === 'E_ENDED') this.stopAs('ended', this.notice('The class has ended.', 'warning'));
      else this.stopAs('left', this.notice('The class no longer knows this browser (it may be a new class). Join again with the code.', 'warning'));
      this.opts.store.forget();
      return;
    }
    this.set({ error: { code, message } });
    // A resume refused for another reason (a rate limit, a busy server): close and try again later.
    if (!this.joinedHere) this.ws?.close(1000, 'retry');
  }

  private failJoin(result: Extract<JoinResult, { ok: false }>): void {
    const join = this.pendingJoin;
    if (!join) return;
    this.pendingJoin = null;
    clearTimeout(join.timer);
    this.closeSocket();
    this.set({ ...INITIAL, status: 'idle', info: this.state.info });
    join.resolve(result);
  }

  private afterClose(): void {
    if (this.joinedHere) this.dropped = true;
    this.joinedHere = false;
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    if (this.pendingJoin) {
      this.failJoin(
        this.helloSeen
          ? { ok: false, code: 'E_CLOSED', message: 'The connection closed before the class server answered. Try again.' }
          : { ok: false, code: 'E_UNREACHABLE', message: 'No class is running at this address. Check the address your instructor gave you.' },
      );
      return;
    }
    if (!this.opts.store.read()) {
      this.stopAs('idle', this.state.notice);
      return;
    }
    this.set({ status: this.state.status === 'connecting' && !this.dropped ? 'connecting' : 'reconnecting' });
    const delay = backoffDelay(this.attempt++, this.backoff, this.opts.random);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private stopAs(status: ClassStatus, notice: ClassNotice | null): void {
    this.closeSocket();
    this.set({ ...INITIAL, status, info: this.state.info, notice });
  }

  private closeSocket(): void {
    const ws = this.ws;
    this.ws = null;
    this.joinedHere = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    try {
      ws?.close(1000, 'bye');
    } catch {
      /* already closing */
    }
  }

  private sendProgress(): void {
    if (!this.progress || !this.joinedHere) return;
    const key = JSON.stringify(this.progress);
    if (key === this.lastSentProgress) return;
    if (sendMessage(this.ws, { type: 'progress', lessons: this.progress, seq: ++this.progressSeq })) {
      this.lastSentProgress = key;
      this.sentSinceJoined = true;
    }
  }
}
