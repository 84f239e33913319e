'use client';
import { memo } from 'react';
import type { StudentSummary } from '@/server/protocol/class';
import { matrixCell, type LessonEntry, type MatrixCell } from '@/app/_lib/class/format';

const TONE: Record<MatrixCell['tone'], string> = {
  none: 'text-gray-400 dark:text-gray-600',
  read: 'text-blue-800 dark:text-blue-200',
  passed: 'bg-emerald-100 font-semibold text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100',
  failed: 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
};

/** One student's row of the progress matrix; redrawn only when their summary changed. */
export const ProgressRow = memo(
  function ProgressRow({ s, lessons }: { s: StudentSummary; lessons: LessonEntry[]; sig: string }) {
    return (
      <tr className="border-t border-gray-200 dark:border-gray-800">
        <th scope="row" className="sticky left-0 max-w-[10rem] truncate bg-white px-2 py-1 text-left font-semibold dark:bg-[#0b1120]">
          {s.nickname}
        </th>
        {lessons.map((l) => {
          const c = matrixCell(s.lessons[l.slug]);
          return (
            <td key={l.slug} className={`px-1.5 py-1 text-center text-sm whitespace-nowrap tabular-nums ${TONE[c.tone]}`}>
              <span aria-hidden="true">{c.text}</span>
              <span className="sr-only">{c.label}</span>
            </td>
          );
        })}
      </tr>
    );
  },
  (a, b) => a.sig === b.sig && a.lessons === b.lessons,
);
