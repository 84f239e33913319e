'use client';
import type { StudentSummary } from '@/server/protocol/class';
import { RosterRow } from './RosterRow';

/** Who is in the class, whether they are here now, and how far they got. */
export function RosterTable({ students, onWatch }: { students: StudentSummary[]; onWatch: (id: number) => void }) {
  const online = students.filter((s) => s.online).length;
  return (
    <section aria-labelledby="roster-heading" className="space-y-2">
      <h2 id="roster-heading" className="m-0 text-xl font-bold">
        Students <span className="text-base font-normal text-gray-700 dark:text-gray-300">({online} online of {students.length})</span>
      </h2>
      {students.length === 0 ? (
        <p className="m-0 text-gray-700 dark:text-gray-300">No one has joined yet: show the code above.</p>
      ) : (
        <div className="relative max-h-[32rem] overflow-auto rounded-lg border border-gray-300 dark:border-gray-700" tabIndex={0} role="region" aria-label="Students table (scrolls)">
          <table className="w-full border-collapse text-sm sm:text-base">
            <caption className="sr-only">Students in the class, with lessons read, quizzes passed, lab calls and any lab shared with you</caption>
            <thead className="sticky top-0 bg-gray-100 dark:bg-gray-900">
              <tr>
                <th scope="col" className="px-3 py-2 text-left">Student</th>
                <th scope="col" className="px-3 py-2 text-left">Status</th>
                <th scope="col" className="px-3 py-2 text-right">Lessons read</th>
                <th scope="col" className="px-3 py-2 text-right">Quizzes passed</th>
                <th scope="col" className="px-3 py-2 text-right">Lab calls</th>
                <th scope="col" className="px-3 py-2 text-right">Lab errors</th>
                <th scope="col" className="px-3 py-2 text-left">Shared lab</th>
              </tr>
            </thead>
            <tbody>
              {students.map((s) => (
                <RosterRow key={s.id} s={s} sig={JSON.stringify(s)} onWatch={onWatch} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
