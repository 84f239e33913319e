import type { LabError } from '@/server/protocol';

/** The last network-lab action the server refused, with its stable code, in words. */
export function OpError({ what, error, onDismiss }: { what: string; error: LabError; onDismiss: () => void }) {
  return (
    <div role="alert" className="flex items-start gap-2 rounded-lg border border-red-400 bg-red-50 p-2 text-sm text-red-950 dark:border-red-700 dark:bg-red-950/40 dark:text-red-100" data-testid="network-error" data-code={error.code}>
      <p className="m-0">
        {what} failed: <code className="font-mono font-semibold">{error.code}</code> {error.message}
      </p>
      <button type="button" onClick={onDismiss} className="ml-auto shrink-0 rounded border border-red-500 px-2 text-xs">
        OK
      </button>
    </div>
  );
}
