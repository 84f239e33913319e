import type { Hello } from '@/server/protocol';
import type { LabStatus as Status } from '@/app/_lib/lab/use-lab-session';

const TEXT: Record<Status, string> = {
  connecting: 'Connecting to the lab…',
  open: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  closed: 'Not connected',
};

/** Connection state and engine, always visible, so a learner knows whether the calls are live. */
export function LabStatus({ status, hello }: { status: Status; hello: Hello | null }) {
  const dot = status === 'open' ? 'bg-emerald-500' : status === 'connecting' ? 'bg-amber-400' : 'bg-red-500';
  return (
    <p className="m-0 flex items-center gap-1.5 text-xs text-gray-700 dark:text-gray-300" role="status" data-testid="lab-status" data-status={status}>
      <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-full ${dot}`} />
      {TEXT[status]}
      {status === 'open' && hello ? <span className="text-gray-600 dark:text-gray-400">· engine: {hello.engine === 'native' ? 'native (one real system call per step)' : 'Node fallback'}</span> : null}
    </p>
  );
}
