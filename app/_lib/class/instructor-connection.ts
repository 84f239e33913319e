/**
 * The instructor dashboard's connection to the class (/class WebSocket): authenticate with the key,
 * take the whole dashboard once and then the changes the server sends (at most one a second), and
 * send the instructor's controls. Reconnects on its own after a drop (and gets the whole dashboard
 * again); a refused key or an ended class stops it. Free of React and browser globals, like the
 * student's connection.
 */
import type { ClassInfo, ClassServerMessage, Dashboard, PublicClassInfo } from '@/server/protocol/class';
import { backoffDelay, type Backoff } from '../backoff';
import { openSocketLike, sendMessage } from './class-socket';
import type { OpenSocket, SocketLike } from '../socket';
import { applyDashboardDelta } from './dashboard-delta';

export type { Dashboard };

export type InstructorStatus = 'connecting' | 'open' | 'reconnecting' | 'forbidden' | 'ended' | 'stopped';

export interface InstructorState {
  status: InstructorStatus;
  /** From the greeting (no code) until the dashboard brings the whole of it. */
  info: PublicClassInfo | ClassInfo | null;
  dashboard: Dashboard | null;
  /** The server's last error reply, or why the connection stopped. */
  error: { code: string; message: string } | null;
}

export const INITIAL_INSTRUCTOR_STATE: InstructorState = { status: 'connecting', info: null, dashboard: null, error: null };

export interface InstructorConnectionOptions {
  url: () => string;
  createSocket: OpenSocket;
  backoff?: Backoff;
  random?: () => number;
}

export class InstructorConnection {
  private state: InstructorState = INITIAL_INSTRUCTOR_STATE;
  private readonly listeners = new Set<() => void>();
  private ws: SocketLike | null = null;
  private authed = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  constructor(
    private readonly key: string,
    private readonly opts: InstructorConnectionOptions,
  ) {}

  getState = (): InstructorState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    if (this.ws || this.retryTimer !== undefined || this.done) return;
    this.open();
  }

  stop(): void {
    this.finish('stopped', this.state.error);
  }

  retryNow(): void {
    if (this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.open();
  }

  /** Everyone opens this lesson (null: the course map). False when not connected. */
  openLesson(slug: string | null): boolean {
    return this.authed && sendMessage(this.ws, { type: 'open-lesson', slug });
  }

  /** Students follow this lab session (its watch token), or nothing. */
  present(watchToken: string | null): boolean {
    return this.authed && sendMessage(this.ws, { type: 'present', watchToken });
  }

  endClass(): boolean {
    return this.authed && sendMessage(this.ws, { type: 'end-class' });
  }

  // -------------------------------------------------------------------------------------

  private set(patch: Partial<InstructorState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private open(): void {
    this.retryTimer = undefined;
    this.authed = false;
    this.ws = openSocketLike(this.opts.createSocket, this.opts.url(), {
      isCurrent: (ws) => this.ws === ws,
      onMessage: (msg) => this.onMessage(msg),
      onClose: () => {
        this.ws = null;
        this.afterClose();
      },
    });
  }

  private onMessage(msg: ClassServerMessage): void {
    switch (msg.type) {
      case 'hello':
        this.set({ info: msg.class });
        sendMessage(this.ws, { type: 'instructor', key: this.key });
        return;
      case 'dashboard':
        this.authed = true;
        this.attempt = 0;
        this.set({ status: msg.class.endedAt === null ? 'open' : 'ended', info: msg.class, dashboard: msg, error: null });
        return;
      case 'dashboard-delta': {
        const before = this.state.dashboard;
        if (!before || !this.authed) return; // a change to a dashboard never received: the next connection brings it whole
        const dashboard = applyDashboardDelta(before, msg);
        this.set({ status: dashboard.class.endedAt === null ? 'open' : 'ended', info: dashboard.class, dashboard });
        return;
      }
      case 'class-ended':
        this.finish('ended', null);
        return;
      case 'error':
        if (msg.code === 'E_FORBIDDEN') this.finish('forbidden', { code: msg.code, message: msg.message });
        else if (msg.code === 'E_ENDED' && !this.authed) this.finish('ended', { code: msg.code, message: msg.message });
        else this.set({ error: { code: msg.code, message: msg.message } });
        return;
      default:
        return; // student messages
    }
  }

  private afterClose(): void {
    this.authed = false;
    if (this.done) return;
    this.set({ status: 'reconnecting' });
    this.retryTimer = setTimeout(() => this.open(), backoffDelay(this.attempt++, this.opts.backoff ?? { baseMs: 500, maxMs: 8000 }, this.opts.random));
  }

  private finish(status: InstructorStatus, error: InstructorState['error']): void {
    this.done = true;
    const ws = this.ws;
    this.ws = null;
    this.authed = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    try {
      ws?.close(1000, 'bye');
    } catch {
      /* already closing */
    }
    this.set({ status, error });
  }
}
