'use client';
import { useEffect, useRef, useState } from 'react';

/** "End the class", with a confirm step: it closes every student's session and stops joining. */
export function EndClassControl({ connected, ended, onEnd }: { connected: boolean; ended: boolean; onEnd: () => boolean }) {
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState('');
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) startRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (ended) return <p className="m-0 font-semibold">The class has ended.</p>;

  return (
    <div className="space-y-2">
      {!asking ? (
        <button
          ref={startRef}
          type="button"
          onClick={() => setAsking(true)}
          disabled={!connected}
          className="rounded-lg border border-red-600 px-4 py-1.5 font-medium text-red-800 hover:bg-red-50 disabled:opacity-60 dark:border-red-400 dark:text-red-200 dark:hover:bg-red-950/40"
        >
          End the class…
        </button>
      ) : (
        <div
          role="group"
          aria-labelledby="end-class-question"
          className="space-y-2 rounded-lg border border-red-300 bg-red-50 p-3 dark:border-red-800 dark:bg-red-950/40"
          onKeyDown={(e) => {
            if (e.key === 'Escape') setAsking(false);
          }}
        >
          <p id="end-class-question" className="m-0">
            End the class for everyone? Every student&apos;s session closes and no one can join any more. Download the summary
            first if you need it.
          </p>
          <div className="flex flex-wrap gap-2">
            <button
              ref={confirmRef}
              type="button"
              onClick={() => {
                setAsking(false);
                setMessage(onEnd() ? 'Ending the class…' : 'Not sent: the dashboard is not connected.');
              }}
              className="rounded-lg bg-red-700 px-4 py-1.5 font-semibold text-white hover:bg-red-800"
            >
              Yes, end the class
            </button>
            <button type="button" onClick={() => setAsking(false)} className="rounded-lg border border-gray-400 px-4 py-1.5 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800">
              Cancel
            </button>
          </div>
        </div>
      )}
      <p role="status" className="m-0 min-h-[1.25rem] text-sm">
        {message}
      </p>
    </div>
  );
}
