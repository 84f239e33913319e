'use client';
import { useEffect, useRef } from 'react';
import { markRead, useProgress } from '../_lib/progress';

/** Marks the lesson read when its end scrolls into view; the learner can also mark it by hand. */
export function ReadMarker({ slug }: { slug: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const done = Boolean(useProgress()[slug]?.read);

  useEffect(() => {
    const el = ref.current;
    if (!el || done) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) markRead(slug);
    });
    io.observe(el);
    return () => io.disconnect();
  }, [slug, done]);

  return (
    <div ref={ref} className="no-print my-8 flex items-center gap-3 text-sm" data-testid="read-marker">
      {done ? (
        <span className="rounded-md bg-blue-100 px-2 py-1 font-medium text-blue-900 dark:bg-blue-900/50 dark:text-blue-100">✓ Lesson read</span>
      ) : (
        <button type="button" onClick={() => markRead(slug)} className="rounded-md border border-gray-300 px-2 py-1 hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800">
          Mark as read
        </button>
      )}
    </div>
  );
}
