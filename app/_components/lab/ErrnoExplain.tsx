import type { LabError } from '@/server/protocol';
import { ERRNO_MEANINGS } from '@/server/protocol/errno-meanings';

/** An error code with what it means and what usually causes it, in plain words. */
export function ErrnoExplain({ error, compact = false }: { error: LabError; compact?: boolean }) {
  const known = ERRNO_MEANINGS[error.code];
  return (
    <div className="text-sm">
      <p className="m-0">
        <code className="rounded bg-red-100 px-1 font-bold text-red-900 dark:bg-red-900/50 dark:text-red-100">{error.code}</code>{' '}
        {known?.meaning ?? error.message}
      </p>
      {!compact && known ? <p className="m-0 mt-1 text-gray-700 dark:text-gray-300">Usually: {known.cause}</p> : null}
      {!compact && known && error.message !== known.meaning ? <p className="m-0 mt-1 text-gray-600 dark:text-gray-400">{error.message}</p> : null}
    </div>
  );
}
