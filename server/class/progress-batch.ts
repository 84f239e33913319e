/**
 * Progress reports and last-seen times wait here for a short tick and are committed together, in
 * one transaction: a student who reports 3,000 times costs one row per lesson per tick, not 3,000
 * synced transactions. Reports are coalesced per student and lesson (the newest wins; a report is
 * the browser's whole state, so nothing is lost by skipping an older one). An acknowledgement runs
 * only after the batch that holds its report is committed: what was acknowledged survives a
 * `kill -9`. A batch that fails to commit stays pending and is tried again on the next tick; each
 * report's `failed` callback runs once, on the first failed commit that held it (the store is away:
 * the client hears so, and still gets its acknowledgement once a retry commits). One commit runs at
 * a time: what arrives meanwhile waits for the next.
 */
import type { LessonProgressReport } from '../protocol/class.ts';
import type { StoreBatch } from './class-store.ts';

export const BATCH_TICK_MS = 100;

type Lessons = Record<string, LessonProgressReport>;

export class ProgressBatch {
  private progress = new Map<number, { lessons: Lessons; at: number }>();
  private touches = new Map<number, number>();
  private acks: (() => void)[] = [];
  private fails: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private running: Promise<boolean> | null = null;
  private closed = false;

  constructor(
    /** Writes the batch durably, or throws (or rejects). */
    private readonly commit: (batch: StoreBatch) => void | Promise<void>,
    /** Runs after a commit, before the acknowledgements: the in-memory view catches up. */
    private readonly committed: (batch: StoreBatch) => void,
    private readonly tickMs = BATCH_TICK_MS,
  ) {}

  addProgress(studentId: number, lessons: Lessons, at: number, ack?: () => void, failed?: () => void): void {
    const pending = this.progress.get(studentId);
    if (pending || Object.keys(lessons).length) this.progress.set(studentId, { lessons: { ...pending?.lessons, ...lessons }, at });
    if (ack) this.acks.push(ack);
    if (failed) this.fails.push(failed);
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

  /** Commits what is pending now (after a commit already running). False when the commit failed (it stays pending). */
  async flush(): Promise<boolean> {
    while (this.running) await this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return true;
    this.running = this.commitPending();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async commitPending(): Promise<boolean> {
    const batch: StoreBatch = { progress: this.progress, touches: this.touches };
    const acks = this.acks;
    const fails = this.fails;
    this.progress = new Map();
    this.touches = new Map();
    this.acks = [];
    this.fails = [];
    try {
      await this.commit(batch);
    } catch (e) {
      this.restore(batch, acks);
      if (!this.failing) console.error(`class: could not save progress (will retry): ${(e as Error).message}`);
      this.failing = true;
      for (const f of fails) f();
      if (!this.closed) this.schedule();
      return false;
    }
    this.failing = false;
    this.committed(batch);
    for (const ack of acks) ack();
    return true;
  }

  /** Stops the tick; what is pending is dropped unless `flush` ran first. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    // Not unref'd: a pending batch is work to finish (close() flushes and stops it at shutdown).
    this.timer = setTimeout(() => void this.flush(), this.tickMs);
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
