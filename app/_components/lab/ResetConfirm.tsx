'use client';
import { useEffect, useRef } from 'react';
import { count, NOUNS } from '@/app/_lib/plural';

/** Asks before a reset closes everything: the safe answer has the focus, and Escape means no. */
export function ResetConfirm({ openSockets, calls, onConfirm, onCancel }: { openSockets: number; calls: number; onConfirm: () => void; onCancel: () => void }) {
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    keep.current?.focus();
  }, []);
  return (
    <div
      role="alertdialog"
      aria-labelledby="reset-question"
      aria-describedby="reset-detail"
      className="rounded-lg border-2 border-red-500 bg-red-50 p-3 text-sm dark:border-red-400 dark:bg-red-950/40"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
      data-testid="reset-confirm"
    >
      <p id="reset-question" className="m-0 font-bold">
        Close every socket and start over?
      </p>
      <p id="reset-detail" className="m-0 mt-1">
        {openSockets ? `${count(openSockets, NOUNS.socket)} will be closed` : 'The sockets are already closed'}, and the timeline of {count(calls, NOUNS.call)} is cleared. Save the session first to keep it.
      </p>
      <div className="mt-2 flex flex-wrap gap-2">
        <button ref={keep} type="button" onClick={onCancel} className="rounded-md border border-gray-500 bg-white px-3 py-1 font-semibold hover:bg-gray-100 dark:bg-gray-900 dark:hover:bg-gray-800" data-testid="reset-cancel">
          Keep working
        </button>
        <button type="button" onClick={onConfirm} className="rounded-md bg-red-700 px-3 py-1 font-semibold text-white hover:bg-red-800" data-testid="reset-confirm-yes">
          Close everything
        </button>
      </div>
    </div>
  );
}
