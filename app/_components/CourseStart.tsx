'use client';
import Link from 'next/link';
import { useProgress } from '../_lib/progress';
import type { CourseEntry } from './CourseMap';

/** Above the fold: where to start (or carry on), and the playground for free play. */
export function CourseStart({ lessons }: { lessons: CourseEntry[] }) {
  const progress = useProgress();
  const started = lessons.some((l) => progress[l.slug]?.read || progress[l.slug]?.quiz);
  const next = lessons.find((l) => !progress[l.slug]?.read);
  return (
    <div className="mt-5 flex flex-wrap items-center gap-3" data-testid="course-start">
      {next ? (
        <Link href={`/learn/${next.slug}`} className="rounded-lg bg-blue-700 px-4 py-2 font-semibold text-white hover:bg-blue-800" data-testid="continue-link">
          {started ? `Continue: lesson ${next.order}, ${next.title}` : 'Start with lesson 1'}
        </Link>
      ) : (
        <span className="rounded-lg bg-emerald-100 px-4 py-2 font-semibold text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100">All {lessons.length} lessons read</span>
      )}
      <Link href="/lab" className="rounded-lg border border-blue-700 px-4 py-2 font-semibold text-blue-800 hover:bg-blue-50 dark:border-blue-400 dark:text-blue-200 dark:hover:bg-blue-950">
        Open the playground
      </Link>
      <Link href="/glossary" className="text-sm text-blue-700 underline dark:text-blue-300">
        Glossary of errors and states
      </Link>
    </div>
  );
}
