/**
 * What the instructor's dashboard has been told, so each push carries only what changed: a student
 * row's changed fields (and only its changed lessons), new feed items, the error tallies and class
 * details when they differ. Every value in a delta is absolute, so a delta also applies cleanly to
 * a snapshot taken after it was computed (an instructor who connects mid-tick).
 */
import type { Dashboard, DashboardDelta, StudentPatch, StudentSummary } from '../protocol/class.ts';

export type DashboardState = Omit<Dashboard, 'type' | 'qrSvg'>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One field of a student's row into its patch (generic, so each key keeps its own type). */
function copyField<K extends keyof StudentPatch & keyof StudentSummary>(patch: StudentPatch, now: StudentSummary, key: K): void {
  patch[key] = now[key];
}

function studentPatch(prev: StudentSummary | undefined, now: StudentSummary): StudentPatch | null {
  if (!prev) return now;
  const patch: StudentPatch = { id: now.id };
  let changed = false;
  for (const key of ['nickname', 'online', 'joinedAt', 'lastSeen', 'labCalls', 'labErrors', 'sharedLab'] as const) {
    if (prev[key] !== now[key]) {
      copyField(patch, now, key);
      changed = true;
    }
  }
  const lessons: StudentSummary['lessons'] = {};
  for (const [slug, p] of Object.entries(now.lessons)) {
    if (!same(prev.lessons[slug], p)) lessons[slug] = p;
  }
  if (Object.keys(lessons).length) {
    patch.lessons = lessons;
    changed = true;
  }
  return changed ? patch : null;
}

export class DashboardTracker {
  private baseline: DashboardState | null = null;
  private sentStudents = new Map<number, StudentSummary>();

  /** Starts from what a first instructor was just sent whole. */
  begin(state: DashboardState): void {
    if (this.baseline) return;
    this.baseline = state;
    this.sentStudents = new Map(state.students.map((s) => [s.id, s]));
  }

  /** No instructor is connected: nothing to track until the next one. */
  reset(): void {
    this.baseline = null;
    this.sentStudents.clear();
  }

  get tracking(): boolean {
    return this.baseline !== null;
  }

  /** The changes since the last call (or `begin`), or null when nothing changed. */
  delta(now: DashboardState): DashboardDelta | null {
    const before = this.baseline;
    if (!before) return null;
    const delta: DashboardDelta = { type: 'dashboard-delta' };
    const patches: StudentPatch[] = [];
    for (const s of now.students) {
      const p = studentPatch(this.sentStudents.get(s.id), s);
      if (p) patches.push(p);
      this.sentStudents.set(s.id, s);
    }
    if (patches.length) delta.students = patches;
    const lastSeq = before.feed.at(-1)?.seq ?? -1;
    const fresh = now.feed.filter((f) => f.seq > lastSeq);
    if (fresh.length) delta.feed = fresh;
    if (!same(before.errors, now.errors)) delta.errors = now.errors;
    if (!same(before.class, now.class)) delta.class = now.class;
    if (before.presenting !== now.presenting) delta.presenting = now.presenting;
    if ((before.partial ?? false) !== (now.partial ?? false)) delta.partial = now.partial ?? false;
    this.baseline = now;
    return Object.keys(delta).length > 1 ? delta : null;
  }
}
