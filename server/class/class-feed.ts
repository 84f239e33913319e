/**
 * The instructor's view of the class's lab calls: a short, rate-limited feed of the newest calls,
 * and a tally of error codes over the last minutes ("12 students got EADDRINUSE"). Every call is
 * counted; only the feed is thinned when the class is busy.
 */
import { FEED_LENGTH, type ErrorTally, type FeedItem } from '../protocol/class.ts';
const FEED_PER_SECOND = 20;
const TALLY_WINDOW_MS = 5 * 60_000;

export interface CallRecord {
  at: number;
  studentId: number;
  student: string;
  call: string;
  outcome: string;
}

export class ClassFeed {
  private readonly feed: FeedItem[] = [];
  private readonly errors: { at: number; studentId: number; code: string }[] = [];
  private windowStart = 0;
  private inWindow = 0;
  private nextSeq = 0;
  /** Calls and errors per student since the last flush to disk. */
  readonly unsaved = new Map<number, { calls: number; errors: number }>();

  /** `local`: made on this instance, so its count is this instance's to write (else another's). */
  record(c: CallRecord, local = true): void {
    if (c.outcome !== 'ok') this.errors.push({ at: c.at, studentId: c.studentId, code: c.outcome });
    if (local) {
      const counts = this.unsaved.get(c.studentId) ?? { calls: 0, errors: 0 };
      counts.calls++;
      if (c.outcome !== 'ok') counts.errors++;
      this.unsaved.set(c.studentId, counts);
    }

    if (c.at - this.windowStart >= 1000) {
      this.windowStart = c.at;
      this.inWindow = 0;
    }
    // Errors always make the feed (they are what an instructor looks for); successes are thinned.
    if (this.inWindow < FEED_PER_SECOND || c.outcome !== 'ok') {
      this.inWindow++;
      this.feed.push({ seq: this.nextSeq++, at: c.at, student: c.student, call: c.call, outcome: c.outcome });
      if (this.feed.length > FEED_LENGTH) this.feed.splice(0, this.feed.length - FEED_LENGTH);
    }
  }

  items(): FeedItem[] {
    return [...this.feed];
  }

  /** Error codes in the window, most widespread first. */
  tallies(now: number): ErrorTally[] {
    while (this.errors.length && now - this.errors[0].at > TALLY_WINDOW_MS) this.errors.shift();
    const by = new Map<string, { students: Set<number>; calls: number }>();
    for (const e of this.errors) {
      const t = by.get(e.code) ?? { students: new Set(), calls: 0 };
      t.students.add(e.studentId);
      t.calls++;
      by.set(e.code, t);
    }
    return [...by.entries()]
      .map(([code, t]) => ({ code, students: t.students.size, calls: t.calls }))
      .sort((a, b) => b.students - a.students || b.calls - a.calls);
  }

  takeUnsaved(): Map<number, { calls: number; errors: number }> {
    const copy = new Map(this.unsaved);
    this.unsaved.clear();
    return copy;
  }
}
