'use client';
import type { StudentSummary } from '@/server/protocol/class';
import type { LessonEntry } from '@/app/_lib/class/format';
import { ProgressRow } from './ProgressRow';

/** Students × lessons: ✓ for read, the quiz score when there is one, ★ and a count for challenges passed. */
export function ProgressMatrix({ students, lessons }: { students: StudentSummary[]; lessons: LessonEntry[] }) {
  if (students.length === 0) return null;
  return (
    <section aria-labelledby="matrix-heading" className="space-y-2">
      <h2 id="matrix-heading" className="m-0 text-xl font-bold">
        Progress by lesson
      </h2>
      <p className="m-0 text-sm text-gray-700 dark:text-gray-300">
        ✓ lesson read · <span className="rounded bg-emerald-100 px-1 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100">4/5</span> quiz passed ·{' '}
        <span className="rounded bg-amber-100 px-1 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100">2/5</span> quiz not passed yet · ★1 challenges
        the lab found met · – not started.
        Hover a column number for the lesson&apos;s title.
      </p>
      <div className="relative max-h-[32rem] overflow-auto rounded-lg border border-gray-300 dark:border-gray-700" tabIndex={0} role="region" aria-label="Progress matrix (scrolls)">
        <table className="border-collapse">
          <caption className="sr-only">Each student&apos;s progress in each lesson</caption>
          <thead className="sticky top-0 z-10 bg-gray-100 dark:bg-gray-900">
            <tr>
              <th scope="col" className="sticky left-0 bg-gray-100 px-2 py-1.5 text-left dark:bg-gray-900">
                Student
              </th>
              {lessons.map((l) => (
                <th key={l.slug} scope="col" title={l.title} className="min-w-[2.75rem] px-1.5 py-1.5 text-center">
                  <span aria-hidden="true">{l.order}</span>
                  <span className="sr-only">
                    Lesson {l.order}: {l.title}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {students.map((s) => (
              <ProgressRow key={s.id} s={s} lessons={lessons} sig={JSON.stringify(s.lessons) + s.nickname} />
            ))}
          </tbody>
          <tfoot className="border-t-2 border-gray-300 bg-gray-50 text-sm dark:border-gray-700 dark:bg-gray-900/60">
            <tr>
              <th scope="row" className="sticky left-0 bg-gray-50 px-2 py-1 text-left dark:bg-gray-900">
                Read by
              </th>
              {lessons.map((l) => (
                <td key={l.slug} className="px-1.5 py-1 text-center tabular-nums">
                  {students.filter((s) => s.lessons[l.slug]?.read).length}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
