'use client';
import { useId, useState, type FormEvent } from 'react';
import type { LessonEntry } from '@/app/_lib/class/format';

const MAP = '';

/** "Open a lesson for everyone": every student's browser goes to that lesson (or the course map). */
export function OpenLessonControl({ lessons, connected, onOpen }: { lessons: LessonEntry[]; connected: boolean; onOpen: (slug: string | null) => boolean }) {
  const id = useId();
  const [slug, setSlug] = useState(lessons[0]?.slug ?? MAP);
  const [result, setResult] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    const lesson = lessons.find((l) => l.slug === slug);
    const name = lesson ? `lesson ${lesson.order}, “${lesson.title}”` : 'the course map';
    setResult(onOpen(slug || null) ? `Sent: students are opening ${name}.` : 'Not sent: the dashboard is not connected. Try again in a moment.');
  }

  return (
    <form onSubmit={submit} className="space-y-2" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="m-0 text-lg font-bold">
        Open a lesson for everyone
      </h2>
      <div className="flex flex-wrap items-end gap-2">
        <label className="text-sm">
          <span className="block font-medium">Lesson</span>
          <select
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            className="mt-1 max-w-[20rem] rounded-md border border-gray-400 bg-white px-2 py-1.5 dark:border-gray-600 dark:bg-gray-900"
            data-testid="open-lesson-select"
          >
            {lessons.map((l) => (
              <option key={l.slug} value={l.slug}>
                {l.order}. {l.title}
              </option>
            ))}
            <option value={MAP}>The course map</option>
          </select>
        </label>
        <button type="submit" disabled={!connected} className="rounded-lg bg-blue-700 px-4 py-1.5 font-semibold text-white hover:bg-blue-800 disabled:opacity-60">
          Open for everyone
        </button>
      </div>
      <p role="status" className="m-0 min-h-[1.25rem] text-sm text-gray-700 dark:text-gray-300">
        {result}
      </p>
    </form>
  );
}
