/**
 * The learner's progress (app/_lib/progress.ts) as the class protocol wants it: every lesson of the
 * course, read or not, with its quiz result or null, and the challenges passed in it. Storage is user-editable, so anything that the
 * server's schema would refuse is left out rather than sent.
 */
import { LESSON_SLUGS } from '@/content/lessons';
import { LessonProgressReportSchema, type LessonProgressReport } from '@/server/protocol/class';
import type { Progress } from '@/app/_lib/progress';

export type ProgressReport = Record<string, LessonProgressReport>;

export function toProgressReport(progress: Progress): ProgressReport {
  const out: ProgressReport = {};
  for (const slug of LESSON_SLUGS) {
    const p = progress[slug];
    const read = Boolean(p?.read);
    const quiz = p?.quiz ? { score: p.quiz.score, total: p.quiz.total, passed: p.quiz.passed } : null;
    const passed = Object.keys(p?.challenges ?? {}).sort();
    const challenges = passed.length ? { challenges: passed } : {};
    const withQuiz = LessonProgressReportSchema.safeParse({ read, quiz, ...challenges });
    const withoutQuiz = LessonProgressReportSchema.safeParse({ read, quiz: null, ...challenges });
    out[slug] = withQuiz.success ? withQuiz.data : withoutQuiz.success ? withoutQuiz.data : { read, quiz: null };
  }
  return out;
}
