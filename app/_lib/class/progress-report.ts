/**
 * The learner's progress (app/_lib/progress.ts) as the class protocol wants it: every lesson of the
 * course, read or not, with its quiz result or null. Storage is user-editable, so anything that the
 * server's schema would refuse is left out rather than sent.
 */
import { LESSON_SLUGS } from '@/content/lessons';
import type { LessonProgressReport } from '@/server/protocol/class';
import type { Progress } from '@/app/_lib/progress';

export type ProgressReport = Record<string, LessonProgressReport>;

const isCount = (n: number, min: number) => Number.isInteger(n) && n >= min && n <= 100;

export function toProgressReport(progress: Progress): ProgressReport {
  const out: ProgressReport = {};
  for (const slug of LESSON_SLUGS) {
    const p = progress[slug];
    const q = p?.quiz;
    const quizOk = q && isCount(q.score, 0) && isCount(q.total, 1) && q.score <= q.total;
    out[slug] = {
      read: Boolean(p?.read),
      quiz: quizOk ? { score: q.score, total: q.total, passed: q.passed } : null,
    };
  }
  return out;
}
