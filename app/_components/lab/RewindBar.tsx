'use client';
import { useEffect, useId, useRef } from 'react';
import type { StepView } from '@/app/_lib/lab/state';

interface Props {
  steps: StepView[];
  /** The step the lab is rewound to. */
  seq: number;
  onSeq: (seq: number) => void;
  /** Leave the recording: back to the live lab (absent in a saved session's replay). */
  onLive?: () => void;
  /** Re-run the calls up to this step for real, on fresh sockets. */
  onReplay?: (seq: number) => void;
  /** Why replaying is not offered here, when it is not. */
  replayNote?: string;
  /** Words for what is shown: a live lab rewound, or a saved session. */
  label?: string;
}

/** Moves through recorded steps: the lab shows the sockets and kernel view as they were after each one. */
export function RewindBar({ steps, seq, onSeq, onLive, onReplay, replayNote, label = 'Rewound' }: Props) {
  const id = useId();
  const index = Math.max(0, steps.findIndex((s) => s.seq === seq));
  const go = (i: number) => onSeq(steps[Math.max(0, Math.min(steps.length - 1, i))].seq);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <section
      ref={ref}
      tabIndex={-1}
      aria-label="Step through the recording"
      className="rounded-lg border-2 border-violet-500 bg-violet-50 p-2 text-sm outline-none dark:border-violet-400 dark:bg-violet-950/40"
      data-testid="rewind-bar"
      data-seq={seq}
    >
      <p className="m-0" role="status">
        <span className="font-bold">
          {label}: step {seq} ({index + 1} of {steps.length})
        </span>{' '}
        <span className="text-gray-800 dark:text-gray-200">The sockets and the kernel&apos;s view as they were right after this call, as recorded. Nothing is re-run.</span>
      </p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <button type="button" onClick={() => go(index - 1)} disabled={index === 0} className="rounded-md border border-violet-600 px-2 py-0.5 hover:bg-violet-100 disabled:opacity-50 dark:border-violet-300 dark:hover:bg-violet-900">
          ◀ Earlier
        </button>
        <label htmlFor={`${id}-range`} className="sr-only">
          Step
        </label>
        <input id={`${id}-range`} type="range" min={0} max={steps.length - 1} value={index} onChange={(e) => go(Number(e.target.value))} className="w-40 max-w-full accent-violet-600" aria-valuetext={`step ${seq}`} />
        <button type="button" onClick={() => go(index + 1)} disabled={index === steps.length - 1} className="rounded-md border border-violet-600 px-2 py-0.5 hover:bg-violet-100 disabled:opacity-50 dark:border-violet-300 dark:hover:bg-violet-900">
          Later ▶
        </button>
        <span className="ml-auto flex flex-wrap gap-2">
          {onReplay ? (
            <button type="button" onClick={() => onReplay(seq)} className="rounded-md bg-violet-700 px-2 py-0.5 font-semibold text-white hover:bg-violet-800" data-testid="replay-from-here">
              Replay from here
            </button>
          ) : null}
          {onLive ? (
            <button type="button" onClick={onLive} className="rounded-md border border-gray-500 px-2 py-0.5 hover:bg-white dark:hover:bg-gray-900" data-testid="rewind-live">
              Back to live
            </button>
          ) : null}
        </span>
      </div>
      {onReplay ? (
        <p className="m-0 mt-1 text-xs text-gray-700 dark:text-gray-300">Replay from here closes the live sockets and makes calls 1 to {seq} again, for real, on new sockets.</p>
      ) : replayNote ? (
        <p className="m-0 mt-1 text-xs text-gray-700 dark:text-gray-300">{replayNote}</p>
      ) : null}
    </section>
  );
}
