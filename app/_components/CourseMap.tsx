'use client';
import Link from 'next/link';
import { useProgress, resetProgress } from '../_lib/progress';
import { count, NOUNS } from '../_lib/plural';
import { ProgressTransfer } from './ProgressTransfer';

export interface CourseEntry {
  slug: string;
  order: number;
  title: string;
  summary: string;
  minutes?: number;
}

/** The lessons in order, each with the learner's progress from this browser. */
export function CourseMap({ lessons }: { lessons: CourseEntry[] }) {
  const progress = useProgress();
  const read = lessons.filter((l) => progress[l.slug]?.read).length;
  const passed = lessons.filter((l) => progress[l.slug]?.quiz?.passed).length;

  return (
    <section aria-labelledby="course-heading">
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <h2 id="course-heading" className="text-2xl font-bold">
          The course
        </h2>
        <p className="text-sm text-gray-700 dark:text-gray-300" data-testid="progress-summary">
          {read} of {count(lessons.length, NOUNS.lesson)} read · {count(passed, NOUNS.quiz)} passed
        </p>
      </div>
      <div className="mb-4 h-2 w-full overflow-hidden rounded-full bg-gray-200 dark:bg-gray-800" role="progressbar" aria-label="Lessons read" aria-valuemin={0} aria-valuemax={lessons.length} aria-valuenow={read}>
        <div className="h-full bg-blue-600 dark:bg-blue-400" style={{ width: `${(read / lessons.length) * 100}%` }} />
      </div>
      <ol className="grid gap-3 sm:grid-cols-2">
        {lessons.map((l) => {
          const p = progress[l.slug];
          return (
            <li key={l.slug} data-lesson={l.slug}>
              <Link
                href={`/learn/${l.slug}`}
                className="group flex h-full gap-3 rounded-xl border border-gray-200 p-4 hover:border-blue-500 hover:bg-blue-50/50 dark:border-gray-800 dark:hover:border-blue-400 dark:hover:bg-blue-950/30"
              >
                <span aria-hidden="true" className={`flex h-9 w-9 shrink-0 items-center justify-center rounded-full text-sm font-bold ${p?.read ? 'bg-blue-600 text-white dark:bg-blue-400 dark:text-gray-950' : 'bg-gray-100 text-gray-700 dark:bg-gray-800 dark:text-gray-200'}`}>
                  {p?.read ? '✓' : l.order}
                </span>
                <span className="min-w-0">
                  <span className="block font-semibold group-hover:underline">
                    <span className="sr-only">Lesson {l.order}: </span>
                    {l.title}
                  </span>
                  <span className="mt-1 block text-sm text-gray-700 dark:text-gray-300">{l.summary}</span>
                  <span className="mt-2 flex flex-wrap gap-2 text-xs">
                    {l.minutes ? <span className="text-gray-600 dark:text-gray-400">{l.minutes} min</span> : null}
                    {p?.read ? <span className="rounded bg-blue-100 px-1.5 py-0.5 text-blue-900 dark:bg-blue-900/50 dark:text-blue-100">Read</span> : null}
                    {p?.quiz ? (
                      <span className={`rounded px-1.5 py-0.5 ${p.quiz.passed ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100' : 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100'}`} data-testid={`quiz-${l.slug}`}>
                        Quiz {p.quiz.score}/{p.quiz.total}
                        {p.quiz.passed ? ' passed' : ''}
                      </span>
                    ) : null}
                    {p?.challenges ? (
                      <span className="rounded bg-violet-100 px-1.5 py-0.5 text-violet-900 dark:bg-violet-900/50 dark:text-violet-100" data-testid={`challenges-${l.slug}`}>
                        ★ {count(Object.keys(p.challenges).length, NOUNS.challenge)} passed
                      </span>
                    ) : null}
                  </span>
                </span>
              </Link>
            </li>
          );
        })}
      </ol>
      <div className="mt-6 flex flex-wrap items-center gap-3">
        <button
          type="button"
          className="rounded-lg border border-gray-300 px-3 py-2 text-sm hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800"
          onClick={() => {
            if (confirm('Forget which lessons you read and your quiz results in this browser?')) resetProgress();
          }}
        >
          Reset progress
        </button>
      </div>
      <ProgressTransfer />
    </section>
  );
}
