/**
 * The instructor's dashboard after a `dashboard-delta`: changed fields replace old ones, changed
 * lessons replace old lessons, new students are added, new feed items (by `seq`) are appended and
 * the oldest dropped. Every value in a delta is absolute, so applying one twice changes nothing.
 */
import { FEED_LENGTH, StudentSummarySchema, type Dashboard, type DashboardDelta, type StudentSummary } from '@/server/protocol/class';

function patchStudents(students: StudentSummary[], patches: NonNullable<DashboardDelta['students']>): StudentSummary[] {
  const byId = new Map(students.map((s) => [s.id, s]));
  for (const p of patches) {
    const old = byId.get(p.id);
    if (old) {
      byId.set(p.id, { ...old, ...p, lessons: { ...old.lessons, ...p.lessons } });
    } else {
      // A student the dashboard has not seen arrives whole; a partial row would be a wrong row.
      const whole = StudentSummarySchema.safeParse(p);
      if (whole.success) byId.set(p.id, whole.data);
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

export function applyDashboardDelta(d: Dashboard, delta: DashboardDelta): Dashboard {
  const lastSeq = d.feed.at(-1)?.seq ?? -1;
  const fresh = (delta.feed ?? []).filter((f) => f.seq > lastSeq);
  return {
    ...d,
    class: delta.class ?? d.class,
    students: delta.students ? patchStudents(d.students, delta.students) : d.students,
    feed: fresh.length ? [...d.feed, ...fresh].slice(-FEED_LENGTH) : d.feed,
    errors: delta.errors ?? d.errors,
    presenting: delta.presenting === undefined ? d.presenting : delta.presenting,
    // Only when the delta says it: one instance alone never does, and its dashboard stays as it was.
    ...(delta.partial === undefined ? {} : { partial: delta.partial }),
  };
}
