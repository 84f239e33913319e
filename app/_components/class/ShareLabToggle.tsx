'use client';
import { useClass } from '@/app/_lib/class/use-class';

const BUTTON = 'rounded-md border px-3 py-1.5 text-sm font-medium';

/**
 * In a class: lets the student show this lab to the instructor, read-only and live, and stop.
 * The server answers with what is shared, so the button shows the truth, not the click.
 */
export default function ShareLabToggle({ watchToken }: { watchToken: string }) {
  const cls = useClass();
  if (cls.status !== 'connected') return null;
  const shared = cls.sharing === watchToken;
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button
        type="button"
        aria-pressed={shared}
        onClick={() => cls.shareLab(shared ? null : watchToken)}
        className={`${BUTTON} ${shared ? 'border-blue-700 bg-blue-700 text-white hover:bg-blue-800' : 'border-gray-400 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800'}`}
        data-testid="share-lab"
      >
        {shared ? 'Stop sharing with the instructor' : 'Share this lab with the instructor'}
      </button>
      <span role="status" aria-live="polite" className="text-sm text-gray-700 dark:text-gray-300">
        {shared ? 'Your instructor can watch this lab (read-only).' : ''}
      </span>
    </span>
  );
}
