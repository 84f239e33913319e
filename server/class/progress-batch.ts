/**
 * Progress reports and last-seen times wait here for a short tick and are committed together, in
 * one transaction: a student who reports 3,000 times costs one row per lesson per tick, not 3,000
 * synced transactions. Reports are coalesced per student and lesson (the newest wins; a report is
 * the browser's whole state, so nothing is lost by skipping an older one). An acknowledgement runs
 * only after the batch that holds its report is committed: what was acknowledged survives a
 * `kill -9`. A batch that fails to commit stays pending and is tried again on the next tick.
 */
import type { LessonProgressReport } from '../protocol/class.ts';
import type { StoreBatch } from './class-store.ts';

export const BATCH_TICK_MS = 100;

type Lessons = Record<string, LessonProgressReport>;

export class ProgressBatch {
  private progress = new Map<number, { lessons: Lessons; at: number }>();
  private touches = new Map<number, number>();
  private acks: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(
    /** Writes the batch durably, or throws. */
    private readonly commit: (batch: StoreBatch) => void,
    /** Runs after a commit, before the acknowledgements: the in-memory view catches up. */
    private readonly committed: (batch: StoreBatch) => void,
    private readonly tickMs = BATCH_TICK_MS,
  ) {}

  addProgress(studentId: number, lessons: Lessons, at: number, ack?: () => void): void {
    const pending = this.progress.get(studentId);
    if (pending || Object.keys(lessons).length) this.progress.set(studentId, { lessons: { ...pending?.lessons, ...lessons }, at });
    if (ack) this.acks.push(ack);
    this.schedule();
  }

  touch(studentId: number, at: number): void {
    this.touches.set(studentId, Math.max(at, this.touches.get(studentId) ?? 0));
    this.schedule();
  }

  /** What is waiting for the next commit for this student, lesson by lesson. */
  pendingLessons(studentId: number): Lessons | undefined {
    return this.progress.get(studentId)?.lessons;
  }

  get pending(): boolean {
    return this.progress.size > 0 || this.touches.size > 0 || this.acks.length > 0;
  }

  /** Commits what is pending now. False when the commit failed (it stays pending). */
  flush(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return true;
    const batch: StoreBatch = { progress: this.progress, touches: this.touches };
    const acks = this.acks;
    this.progress = new Map();
    this.touches = new Map();
    this.acks = [];
    try {
      this.commit(batch);
    } catch (e) {
      this.restore(batch, acks);
      if (!this.failing) console.error(`class: could not save progress (will retry): ${(e as Error).message}`);
      this.failing = true;
      this.schedule();
      return false;
    }
    this.failing = false;
    this.committed(batch);
    for (const ack of acks) ack();
    return true;
  }

  /** Stops the tick; what is pending is dropped unless `flush` ran first. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) return;
    // Not unref'd: a pending batch is work to finish (close() flushes and stops it at shutdown).
    this.timer = setTimeout(() => this.flush(), this.tickMs);
  }

  /** Puts a failed batch back under what arrived since: newer reports and times win. */
  private restore(batch: StoreBatch, acks: (() => void)[]): void {
    for (const [id, older] of batch.progress) {
      const newer = this.progress.get(id);
      this.progress.set(id, newer ? { lessons: { ...older.lessons, ...newer.lessons }, at: newer.at } : older);
    }
    for (const [id, at] of batch.touches) this.touches.set(id, Math.max(at, this.touches.get(id) ?? 0));
    this.acks = [...acks, ...this.acks];
  }
}
