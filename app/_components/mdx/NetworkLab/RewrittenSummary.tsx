import type { SummaryPart } from '@/app/_lib/lab/packets/step-packets';

/** A packet's one-line summary with the endpoints the router rewrote marked (and named for screen readers). */
export function RewrittenSummary({ parts }: { parts: readonly SummaryPart[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.rewritten ? (
          <mark key={i} className="rounded bg-orange-200 px-0.5 text-gray-900 dark:bg-orange-800 dark:text-white" data-testid="rewritten-endpoint">
            {p.text}
            <span className="sr-only"> (rewritten by the router)</span>
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}
