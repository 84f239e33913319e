/**
 * Who is in the class and what they did. The store (class-store.ts) is the state of record: a
 * join is written before it is answered, a token is looked up in the store on resume (a student
 * who joined through another instance resumes here), progress and last-seen times go in batches,
 * lab-call counts every few seconds, and the CSV summary is read back from the store.
 *
 * The in-memory copy here (students by id and token, each one's saved progress) is a cache for the
 * dashboard and for skipping unchanged reports: it is loaded at start, kept fresh by what this
 * instance writes and by each resume (which reloads that student's row and progress), and
 * `refresh()` reloads all of it (an event bus calls it when another instance changed the class).
 * While the store is away a student this instance already knows may still resume from the cache.
 * With other instances serving the class (class-bus.ts), what they change arrives as events and is
 * applied here in memory only: they wrote it to the store already.
 */
import { newSecret } from './class-codes.ts';
import type { ClassFeed } from './class-feed.ts';
import { StoreUnavailableError, type ClassStore, type Lessons, type StudentRow } from './class-store.ts';
import type { LessonProgressReport } from '../protocol/class.ts';
import { nicknameKeys } from './nickname.ts';
import { ProgressBatch } from './progress-batch.ts';
import { summaryCsv } from './summary-csv.ts';

function sameReport(a: LessonProgressReport | undefined, b: LessonProgressReport): boolean {
  return (
    !!a &&
    a.read === b.read &&
    a.quiz?.score === b.quiz?.score &&
    a.quiz?.total === b.quiz?.total &&
    a.quiz?.passed === b.quiz?.passed &&
    (a.challenges ?? []).join() === (b.challenges ?? []).join()
  );
}

/** What the roster tells the rest of this instance (to publish to the other instances). */
export interface RosterEvents {
  /** A batch of progress was committed: the lessons that changed, per student. */
  progressCommitted(studentId: number, lessons: Lessons): void;
  seen(studentId: number, at: number): void;
}

export class ClassRoster {
  private students = new Map<number, StudentRow>();
  private byToken = new Map<string, number>();
  private progress = new Map<number, Lessons>();
  private readonly batch: ProgressBatch;
  private closed = false;
  /** Told what this instance changed (set by the hub when other instances share the class). */
  events: RosterEvents | null = null;

  /** `feed`: where the lab-call counts not yet written are gathered. */
  private constructor(
    private readonly store: ClassStore,
    readonly feed: ClassFeed,
  ) {
    this.batch = new ProgressBatch(
      (b) => store.commitBatch(b),
      (b) => {
        for (const [id, { lessons }] of b.progress) {
          this.progress.set(id, { ...this.progress.get(id), ...lessons });
          if (Object.keys(lessons).length) this.events?.progressCommitted(id, lessons);
        }
      },
    );
  }

  static async load(store: ClassStore, feed: ClassFeed): Promise<ClassRoster> {
    const roster = new ClassRoster(store, feed);
    await roster.refresh();
    return roster;
  }

  /**
   * Reloads the roster and everyone's progress from the store (at start, and when the event bus
   * comes back after missing events). Students are added; counts and last-seen times this
   * instance holds and has not written yet stay ahead of the store's.
   */
  async refresh(): Promise<void> {
    const [rows, progress] = await Promise.all([this.store.students(), this.store.progress()]);
    for (const row of rows) this.remember(row);
    for (const [id, lessons] of progress) this.progress.set(id, { ...this.progress.get(id), ...lessons });
  }

  /** A student who joined on another instance (it stored them already). */
  adopt(row: StudentRow): void {
    this.remember({ ...row });
  }

  /** Progress another instance committed. */
  applyProgress(id: number, lessons: Lessons): void {
    if (!this.students.has(id)) return;
    this.progress.set(id, { ...this.progress.get(id), ...lessons });
  }

  /** A student seen on another instance. */
  seenElsewhere(id: number, at: number): void {
    const s = this.students.get(id);
    if (s) s.lastSeen = Math.max(s.lastSeen, at);
  }

  /** A lab call on another instance: counted here in memory (that instance writes it to the store). */
  callElsewhere(id: number, ok: boolean): void {
    const s = this.students.get(id);
    if (!s) return;
    s.labCalls++;
    if (!ok) s.labErrors++;
  }

  get size(): number {
    return this.students.size;
  }

  all(): Iterable<StudentRow> {
    return this.students.values();
  }

  student(id: number): StudentRow | undefined {
    return this.students.get(id);
  }

  /** The student a token belongs to, as this instance last saw them (no store round trip). */
  cachedByToken(token: string): StudentRow | undefined {
    const id = this.byToken.get(token);
    return id === undefined ? undefined : this.students.get(id);
  }

  /**
   * The student a browser's token belongs to, read from the store (with their progress, so the
   * dashboard and the "unchanged" check agree with it). While the store is away, the cached row.
   */
  async byTokenOf(token: string): Promise<StudentRow | undefined> {
    let row: StudentRow | null;
    try {
      row = await this.store.studentByToken(token);
    } catch (e) {
      const cached = this.cachedByToken(token);
      if (e instanceof StoreUnavailableError && cached) return cached;
      throw e;
    }
    if (!row) return undefined;
    this.remember(row);
    this.progress.set(row.id, { ...(await this.store.progressOf(row.id).catch(() => undefined)), ...this.progress.get(row.id) });
    return this.students.get(row.id);
  }

  /** Saved progress (committed batches only). */
  progressOf(id: number): Lessons | undefined {
    return this.progress.get(id);
  }

  /** Adds a student, stored before this resolves; null when the nickname is taken. */
  async add(nickname: string, at: number): Promise<StudentRow | null> {
    const row = await this.store.addStudent(newSecret(), nickname, at, nicknameKeys(nickname));
    if (row) this.remember(row);
    return row;
  }

  private remember(row: StudentRow): void {
    const known = this.students.get(row.id);
    // Counts and last-seen times this instance has not written yet stay ahead of the store's.
    if (known) Object.assign(known, { ...row, lastSeen: Math.max(row.lastSeen, known.lastSeen), labCalls: Math.max(row.labCalls, known.labCalls), labErrors: Math.max(row.labErrors, known.labErrors) });
    else this.students.set(row.id, row);
    this.byToken.set(row.token, row.id);
  }

  /** The student was here just now (joined, came back, left): saved with the next batch. */
  seen(id: number): void {
    if (this.closed) return;
    const s = this.students.get(id);
    if (!s) return;
    s.lastSeen = Date.now();
    this.batch.touch(id, s.lastSeen);
    this.events?.seen(id, s.lastSeen);
  }

  /**
   * A browser's progress report (known lessons only; the hub answers the others): only lessons
   * that differ from what is saved (or waiting to be) are written; `ack` runs once the batch
   * holding this report is committed, `failed` once if a commit holding it fails.
   */
  saveProgress(id: number, lessons: Lessons, ack?: () => void, failed?: () => void): void {
    const saved = { ...this.progress.get(id), ...this.batch.pendingLessons(id) };
    const changed = Object.fromEntries(Object.entries(lessons).filter(([slug, p]) => !sameReport(saved[slug], p)));
    this.batch.addProgress(id, changed, Date.now(), ack, failed);
  }

  /** Writes lab-call counts gathered since the last flush; kept for the next try when the store is away. */
  async flushLabCounts(): Promise<void> {
    const counts = this.feed.takeUnsaved();
    if (!counts.size) return;
    try {
      await this.store.addLabCounts(counts);
    } catch (e) {
      for (const [id, c] of counts) {
        const now = this.feed.unsaved.get(id) ?? { calls: 0, errors: 0 };
        this.feed.unsaved.set(id, { calls: now.calls + c.calls, errors: now.errors + c.errors });
      }
      throw e;
    }
    for (const [id, c] of counts) {
      const s = this.students.get(id);
      if (s) {
        s.labCalls += c.calls;
        s.labErrors += c.errors;
      }
    }
  }

  /** Writes everything waiting: lab-call counts and the progress batch. */
  async flush(): Promise<void> {
    await this.flushLabCounts();
    if (!(await this.batch.flush())) throw new StoreUnavailableError('progress could not be written');
  }

  /** The class summary as CSV, read from the store once everything waiting is written. */
  async summaryCsv(lessons: readonly string[], online: Set<number>): Promise<string> {
    await this.flush();
    const [students, progress] = await Promise.all([this.store.students(), this.store.progress()]);
    return summaryCsv(students, progress, lessons, online);
  }

  /** Writes what is waiting (as far as the store takes it) and stops taking more (the server is stopping). */
  async close(): Promise<void> {
    await this.flush().catch((e) => console.error(`class: could not save everything before stopping: ${(e as Error).message}`));
    this.batch.close();
    this.closed = true;
  }
}
