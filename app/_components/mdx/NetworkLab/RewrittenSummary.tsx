import type { SummaryPart } from '@/app/_lib/lab/packets/step-packets';

/**
 * A packet's one-line summary with the endpoints the router rewrote marked, and named for screen
 * readers: on the router's copy as rewritten, on the sighting before it as what the router changes.
 */
export function RewrittenSummary({ parts, afterRouter }: { parts: readonly SummaryPart[]; afterRouter: boolean }) {
  return (
    <>
      {parts.map((p, i) =>
        p.rewritten ? (
          <mark key={i} className="rounded bg-orange-200 px-0.5 text-gray-900 dark:bg-orange-800 dark:text-white" data-testid="rewritten-endpoint" data-after-router={afterRouter ? 'true' : 'false'}>
            {p.text}
            <span className="sr-only">{afterRouter ? ' (rewritten by the router)' : ' (the router rewrites this)'}</span>
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}
