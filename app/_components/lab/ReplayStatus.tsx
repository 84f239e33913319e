import type { ReplayProgress } from '@/app/_lib/lab/use-replay';
import { count, NOUNS } from '@/app/_lib/plural';

/** How a replay is going, and when done, which calls the kernel answered differently this time. */
export function ReplayStatus({ progress, onDismiss }: { progress: ReplayProgress; onDismiss: () => void }) {
  const finished = progress.differences !== undefined;
  return (
    <div className="rounded-lg border border-violet-400 bg-violet-50 p-2 text-sm dark:border-violet-600 dark:bg-violet-950/40" role="status" data-testid="replay-status" data-done={finished ? 'true' : 'false'}>
      {finished ? (
        <>
          <p className="m-0">
            Replayed {count(progress.total, NOUNS.call)} on new sockets, for real.{' '}
            {progress.differences!.length === 0 ? 'The kernel answered each one as it did before.' : `The kernel answered ${count(progress.differences!.length, NOUNS.call)} differently this time:`}
          </p>
          {progress.differences!.length ? (
            <ul className="m-0 mt-1 list-disc pl-5 text-xs">
              {progress.differences!.slice(0, 10).map((d) => (
                <li key={d.seq}>
                  step {d.seq}, {d.op}(): was {d.recorded}, now {d.actual}
                  {d.note ? ` (${d.note})` : ''}
                </li>
              ))}
            </ul>
          ) : null}
          <button type="button" onClick={onDismiss} className="mt-1 rounded border border-violet-500 px-2 text-xs">
            OK
          </button>
        </>
      ) : (
        <p className="m-0">
          Replaying on new sockets: {progress.done} of {count(progress.total, NOUNS.call)} made…
        </p>
      )}
    </div>
  );
}
