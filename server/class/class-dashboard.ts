/**
 * The instructor's dashboard: the whole picture for an instructor who just gave the key, then once
 * a second only what changed (dashboard-tracker.ts), to every instructor connection.
 */
import type { ClassInfo, Dashboard, LessonProgressReport, StudentSummary } from '../protocol/class.ts';
import type { ClassFeed } from './class-feed.ts';
import type { ClassConn, ClassSockets } from './class-socket.ts';
import type { StudentRow } from './class-store.ts';
import { DashboardTracker, type DashboardState } from './dashboard-tracker.ts';

/** A dashboard that cannot take this much more is closed rather than sent a delta it would miss. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** What the dashboard is made from, read fresh at each push. */
export interface DashboardSource {
  info(): ClassInfo;
  students(): Iterable<StudentRow>;
  progress(id: number): Record<string, LessonProgressReport> | undefined;
  feed: ClassFeed;
  presenting(): string | null;
  /** The lab session this student shares with the instructor, while it is live. */
  sharedLab(id: number): string | null;
  qrSvg(): string;
  /** Students online on this instance or any other one heard from. */
  online(): Set<number>;
  /** True while the other instances cannot be heard (class-bus.ts). */
  partial(): boolean;
}

export class ClassDashboards {
  private readonly tracker = new DashboardTracker();

  constructor(
    private readonly sockets: ClassSockets,
    private readonly source: DashboardSource,
  ) {}

  /** Sends the whole dashboard to an instructor who just gave the key. */
  welcome(conn: ClassConn): void {
    const whole: Dashboard = { type: 'dashboard', ...this.state(), qrSvg: this.source.qrSvg() };
    this.tracker.begin(whole);
    this.sockets.send(conn, whole);
  }

  /** Sends the instructors what changed since the last push; nothing when nothing did. */
  push(): void {
    const instructors = this.sockets.instructors();
    if (!instructors.length) return this.tracker.reset();
    const delta = this.tracker.delta(this.state());
    if (!delta) return;
    const text = JSON.stringify(delta);
    for (const c of instructors) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      // A delta may not be skipped (the next one builds on it): a dashboard that cannot keep up is
      // closed instead, and its page reconnects and starts again from a snapshot.
      if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) c.ws.close(1013, 'dashboard fell behind');
      else c.ws.send(text);
    }
  }

  private state(): DashboardState {
    const online = this.source.online();
    const { feed } = this.source;
    const students: StudentSummary[] = [...this.source.students()].map((s) => {
      const pending = feed.unsaved.get(s.id);
      return {
        id: s.id,
        nickname: s.nickname,
        online: online.has(s.id),
        joinedAt: s.joinedAt,
        lastSeen: s.lastSeen,
        lessons: this.source.progress(s.id) ?? {},
        labCalls: s.labCalls + (pending?.calls ?? 0),
        labErrors: s.labErrors + (pending?.errors ?? 0),
        sharedLab: this.source.sharedLab(s.id),
      };
    });
    const state: DashboardState = { class: this.source.info(), students, feed: feed.items(), errors: feed.tallies(Date.now()), presenting: this.source.presenting() };
    // Only when it is true: one instance alone never sends it, as before there were instances.
    if (this.source.partial()) state.partial = true;
    return state;
  }
}
