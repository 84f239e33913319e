import type { LabError } from '@/server/protocol';
import { ERRNO_MEANINGS } from '@/server/protocol/meanings';
import { expectedLabel } from '@/app/_lib/lab/outcome';
import { GlossaryTerm } from '../GlossaryTerm';

/** An error code with what it means and what usually causes it, in plain words. */
export function ErrnoExplain({ error, op, compact = false }: { error: LabError; op?: string; compact?: boolean }) {
  const known = ERRNO_MEANINGS[error.code];
  const expected = op ? expectedLabel(op, error.code) : null;
  return (
    <div className="text-sm">
      <p className="m-0">
        <span className={`font-bold ${expected ? 'text-amber-900 dark:text-amber-100' : 'text-red-900 dark:text-red-100'}`}>
          <GlossaryTerm term={error.code} />
        </span>{' '}
        {expected ? <span className="font-semibold">({expected}) </span> : null}
        {known?.meaning ?? error.message}
      </p>
      {!compact && known ? <p className="m-0 mt-1 text-gray-700 dark:text-gray-300">Usually: {known.cause}</p> : null}
      {!compact && known && error.message !== known.meaning ? <p className="m-0 mt-1 text-gray-600 dark:text-gray-400">{error.message}</p> : null}
    </div>
  );
}
