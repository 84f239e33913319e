'use client';
import { useEffect, useRef } from 'react';
import { markRead, unmarkRead, useProgress } from '../_lib/progress';
import { ReadClock } from '../_lib/read-clock';

/**
 * Marks the lesson read when its end is reached after real time on the page (30 s of it visible):
 * scrolling straight to the bottom does not count. The learner can also mark it by hand, and unmark it.
 */
export function ReadMarker({ slug }: { slug: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const done = Boolean(useProgress()[slug]?.read);
  // The clock starts with the page, not with the end coming into view.
  const clock = useRef<ReadClock | null>(null);
  if (clock.current === null && typeof document !== 'undefined') clock.current = new ReadClock(performance.now(), document.visibilityState === 'visible');

  // Unmarked by hand: this visit no longer marks it by itself (the end is right here, in view).
  const unmarked = useRef(false);

  useEffect(() => {
    const c = clock.current;
    const el = ref.current;
    if (!c || !el || done || unmarked.current) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inView = false;
    const check = () => {
      clearTimeout(timer);
      const now = performance.now();
      if (c.isRead(now)) markRead(slug);
      // The end is in view: look again when the time could be up.
      else if (document.visibilityState === 'visible' && inView) timer = setTimeout(check, c.remaining(now) + 50);
    };
    const io = new IntersectionObserver((entries) => {
      inView = entries.some((e) => e.isIntersecting);
      if (inView) {
        c.sawEnd();
        check();
      }
    });
    const onVisibility = () => {
      const now = performance.now();
      if (document.visibilityState === 'visible') {
        c.visible(now);
        check();
      } else c.hidden(now);
    };
    io.observe(el);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      clearTimeout(timer);
      io.disconnect();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [slug, done]);

  return (
    <div ref={ref} className="no-print my-8 flex flex-wrap items-center gap-3 text-sm" data-testid="read-marker" data-read={done ? 'true' : 'false'}>
      {done ? (
        <>
          <span className="rounded-md bg-blue-100 px-2 py-1 font-medium text-blue-900 dark:bg-blue-900/50 dark:text-blue-100">✓ Lesson read</span>
          <button
            type="button"
            onClick={() => {
              unmarked.current = true;
              unmarkRead(slug);
            }} className="rounded-md border border-gray-300 px-2 py-1 hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800">
            Mark as unread
          </button>
        </>
      ) : (
        <>
          <button type="button" onClick={() => markRead(slug)} className="rounded-md border border-gray-300 px-2 py-1 hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800">
            Mark as read
          </button>
          <span className="text-gray-600 dark:text-gray-400">It counts as read by itself once you reach this point after some time with the lesson.</span>
        </>
      )}
    </div>
  );
}
