'use client';
import type { Op } from '@/server/protocol';
import type { CallAdvice } from '@/app/_lib/lab/next-call';
import type { CallRequest } from '@/app/_lib/lab/call-args';

interface Props {
  sock: string;
  /** Calls that only ask the kernel (getsockname, getpeername): no arguments but the socket. */
  ops: readonly Op[];
  advice: CallAdvice;
  disabled: boolean;
  onCall: (req: CallRequest) => void;
}

/**
 * Questions to the kernel about a socket, one click each: they take nothing but the socket and
 * change nothing, so there is no form to fill. One that will most likely fail is marked, as in the
 * call list, and still made when clicked.
 */
export function QueryButtons({ sock, ops, advice, disabled, onCall }: Props) {
  return (
    <div role="group" aria-label={`Ask the kernel about ${sock}`} className="flex flex-wrap items-center gap-1 text-xs">
      <span className="text-gray-700 dark:text-gray-300">Ask the kernel:</span>
      {ops.map((op) => {
        const fails = advice.likelyFail[op];
        return (
          <button
            key={op}
            type="button"
            disabled={disabled}
            onClick={() => onCall({ op, args: { sock } })}
            className={`rounded border px-1.5 py-0.5 font-mono text-xs hover:bg-gray-100 disabled:opacity-50 dark:hover:bg-gray-800 ${fails ? 'border-dashed border-gray-400 text-gray-700 dark:border-gray-500 dark:text-gray-300' : 'border-gray-300 dark:border-gray-600'}`}
            data-query={op}
            data-likely-fails={fails ? fails.code : undefined}
            title={fails ? `Likely fails now with ${fails.code}: ${fails.why}` : undefined}
          >
            {op}()
            {fails ? (
              <>
                <span aria-hidden="true"> ⚠</span>
                <span className="sr-only"> (likely fails now: {fails.code})</span>
              </>
            ) : null}
          </button>
        );
      })}
    </div>
  );
}
