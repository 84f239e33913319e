'use client';
import { memo } from 'react';
import type { StudentSummary } from '@/server/protocol/class';
import { LESSON_SLUGS } from '@/content/lessons';
import { clock, lessonTotals } from '@/app/_lib/class/format';

const CELL = 'px-3 py-1.5 text-right tabular-nums';

/** One student; redrawn only when their summary changed (changes arrive at most once a second). */
export const RosterRow = memo(
  function RosterRow({ s, onWatch }: { s: StudentSummary; sig: string; onWatch: (id: number) => void }) {
    const t = lessonTotals(s.lessons);
    return (
      <tr className={`border-t border-gray-200 dark:border-gray-800 ${s.online ? '' : 'text-gray-500 dark:text-gray-400'}`} data-testid="roster-row">
        <th scope="row" className="max-w-[14rem] truncate px-3 py-1.5 text-left font-semibold">
          {s.nickname}
        </th>
        <td className="px-3 py-1.5 whitespace-nowrap">
          <span aria-hidden="true" className={`mr-1.5 inline-block h-2.5 w-2.5 rounded-full ${s.online ? 'bg-emerald-500' : 'bg-gray-400 dark:bg-gray-600'}`} />
          {s.online ? 'online' : `offline since ${clock(s.lastSeen)}`}
        </td>
        <td className={CELL}>
          {t.read}
          <span className="text-gray-500 dark:text-gray-400"> / {LESSON_SLUGS.length}</span>
        </td>
        <td className={CELL}>{t.passed}</td>
        <td className={CELL}>{s.labCalls}</td>
        <td className={`${CELL} ${s.labErrors > 0 ? 'font-semibold text-red-700 dark:text-red-300' : ''}`}>{s.labErrors}</td>
        <td className="px-3 py-1.5">
          {s.sharedLab ? (
            <button type="button" onClick={() => onWatch(s.id)} className="rounded-md border border-blue-700 px-2 py-0.5 text-sm font-medium text-blue-800 hover:bg-blue-50 dark:border-blue-400 dark:text-blue-200 dark:hover:bg-blue-950" data-testid="watch-shared-lab">
              Watch<span className="sr-only"> {s.nickname}’s lab</span>
            </button>
          ) : (
            <span className="text-gray-500 dark:text-gray-400">
              —<span className="sr-only">not shared</span>
            </span>
          )}
        </td>
      </tr>
    );
  },
  (a, b) => a.sig === b.sig,
);
