/**
 * Who is in the class and what they did: the students (by id and by their browser's token), each
 * one's lesson progress and quiz results, last-seen times and lab-call counts, kept in memory and
 * written to the ClassStore (a join at once; progress and last-seen times in batches; lab-call
 * counts every few seconds). With other instances serving the class (class-bus.ts), what they
 * change arrives as events and is applied here in memory only: they wrote it to the store already.
 */
import type { LessonProgressReport } from '../protocol/class.ts';
import { newSecret } from './class-codes.ts';
import type { ClassFeed } from './class-feed.ts';
import type { ClassStore, StudentRow } from './class-store.ts';
import { nicknameKeys } from './nickname.ts';
import { ProgressBatch } from './progress-batch.ts';
import { summaryCsv } from './summary-csv.ts';

type Lessons = Record<string, LessonProgressReport>;

function sameReport(a: LessonProgressReport | undefined, b: LessonProgressReport): boolean {
  return !!a && a.read === b.read && a.quiz?.score === b.quiz?.score && a.quiz?.total === b.quiz?.total && a.quiz?.passed === b.quiz?.passed;
}

/** What the roster tells the rest of this instance (to publish to the other instances). */
export interface RosterEvents {
  /** A batch of progress was committed: the lessons that changed, per student. */
  progressCommitted(studentId: number, lessons: Lessons): void;
  seen(studentId: number, at: number): void;
}

export class ClassRoster {
  private readonly students = new Map<number, StudentRow>();
  private readonly byToken = new Map<string, number>();
  private readonly progress: Map<number, Lessons>;
  private readonly batch: ProgressBatch;
  private closed = false;

  /** `feed`: where the lab-call counts not yet written are gathered. */
  constructor(
    private readonly store: ClassStore,
    private readonly feed: ClassFeed,
    private readonly events: RosterEvents | null = null,
  ) {
    this.progress = new Map();
    this.reload();
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

  /**
   * Reads the roster and progress from the store (at start, and when the event bus comes back
   * after missing events): students are added, counts and times only move forward.
   */
  reload(): void {
    for (const s of this.store.students()) this.adopt(s);
    for (const [id, lessons] of this.store.progress()) this.progress.set(id, { ...this.progress.get(id), ...lessons });
  }

  /** A student who joined here or on another instance; one already known keeps the newer counts. */
  adopt(row: StudentRow): void {
    const known = this.students.get(row.id);
    if (!known) {
      this.students.set(row.id, { ...row });
      this.byToken.set(row.token, row.id);
      return;
    }
    known.lastSeen = Math.max(known.lastSeen, row.lastSeen);
    known.labCalls = Math.max(known.labCalls, row.labCalls);
    known.labErrors = Math.max(known.labErrors, row.labErrors);
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

  /**
   * The student a browser's token belongs to. A token not known here is looked up in the store:
   * the student may have joined on another instance while this one missed the event.
   */
  byTokenOf(token: string): StudentRow | undefined {
    const id = this.byToken.get(token);
    if (id !== undefined) return this.students.get(id);
    const row = this.store.studentByToken(token);
    if (!row) return undefined;
    this.reload();
    return this.students.get(row.id);
  }

  /** Saved progress (committed batches only). */
  progressOf(id: number): Lessons | undefined {
    return this.progress.get(id);
  }

  /** Adds a student, committed before this returns; null when the nickname is taken. */
  add(nickname: string, at: number): StudentRow | null {
    const token = newSecret();
    const row = this.store.addStudent(token, nickname, at, nicknameKeys(nickname));
    if (!row) return null;
    this.students.set(row.id, row);
    this.byToken.set(token, row.id);
    return row;
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
   * A browser's whole progress report: only the lessons that differ from what is saved (or waiting
   * to be) are written, and `ack` runs once the batch holding this report is committed.
   */
  saveProgress(id: number, lessons: Lessons, known: ReadonlySet<string>, ack?: () => void): void {
    const saved = { ...this.progress.get(id), ...this.batch.pendingLessons(id) };
    const changed = Object.fromEntries(Object.entries(lessons).filter(([slug, p]) => known.has(slug) && !sameReport(saved[slug], p)));
    this.batch.addProgress(id, changed, Date.now(), ack);
  }

  /** Writes lab-call counts gathered since the last flush. */
  flushLabCounts(): void {
    const counts = this.feed.takeUnsaved();
    if (!counts.size) return;
    this.store.addLabCounts(counts);
    for (const [id, c] of counts) {
      const s = this.students.get(id);
      if (s) {
        s.labCalls += c.calls;
        s.labErrors += c.errors;
      }
    }
  }

  /** Writes everything waiting: lab-call counts and the progress batch. */
  flush(): void {
    this.flushLabCounts();
    this.batch.flush();
  }

  /** The class summary as CSV, from what is on disk once everything waiting is written. */
  summaryCsv(lessons: readonly string[], online: Set<number>): string {
    this.flush();
    return summaryCsv(this.store.students(), this.progress, lessons, online);
  }

  /** Writes what is waiting and stops taking more (the server is stopping). */
  close(): void {
    this.flush();
    this.batch.close();
    this.closed = true;
  }
}
