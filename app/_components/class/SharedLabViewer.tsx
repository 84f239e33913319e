'use client';
import { SocketLab } from '../mdx/SocketLab';

/**
 * A student's lab as they share it: a read-only mirror of their live session (the same viewer a
 * class uses to follow the instructor), shown on the dashboard until the instructor closes it or
 * the student stops sharing.
 */
export function SharedLabViewer({ nickname, watchToken, onClose }: { nickname: string; watchToken: string | null; onClose: () => void }) {
  return (
    <section aria-labelledby="shared-lab-heading" className="space-y-3 rounded-xl border border-blue-300 p-4 dark:border-blue-800" data-testid="shared-lab">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="shared-lab-heading" className="m-0 text-xl font-bold">
          {nickname}’s lab <span className="text-base font-normal text-gray-700 dark:text-gray-300">(shared with you, read-only)</span>
        </h2>
        <button type="button" onClick={onClose} className="ml-auto rounded-lg border border-gray-400 px-3 py-1.5 font-medium hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800">
          Close
        </button>
      </div>
      {watchToken ? (
        <SocketLab key={watchToken} watch={watchToken} />
      ) : (
        <p className="m-0 text-gray-800 dark:text-gray-200" role="status">
          {nickname} stopped sharing their lab (or closed it).
        </p>
      )}
    </section>
  );
}
