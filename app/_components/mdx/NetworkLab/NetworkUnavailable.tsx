/**
 * This server cannot build a sandbox network: the server's one line (the reason and the remedy),
 * and where the lesson's own widget still works without it.
 */
export function NetworkUnavailable({ reason, fallback }: { reason: string; fallback: string }) {
  return (
    <div className="space-y-1 rounded-lg border border-amber-400 bg-amber-50 p-2 text-sm text-gray-900 dark:border-amber-700 dark:bg-amber-950/40 dark:text-gray-100" data-testid="network-unavailable">
      <p className="m-0 font-semibold" data-testid="network-unavailable-reason">
        The sandbox network is not available on this server: {reason}
      </p>
      <p className="m-0" data-testid="network-fallback">
        Meanwhile {fallback} shows the same idea, computed in your browser instead of by a real kernel.
      </p>
    </div>
  );
}
