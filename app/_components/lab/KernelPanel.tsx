import { memo } from 'react';
import type { KernelRow } from '@/server/protocol';
import { KernelTable } from './KernelTable';

/** States whose rows never carry tcp_info: no full socket (TIME_WAIT, a handshake) or a listener. */
const NO_TCP_INFO_STATES = new Set(['LISTEN', 'TIME_WAIT', 'SYN_RECV', 'NEW_SYN_RECV']);

/** The kernel's own view of this session's sockets, refreshed after every step and kernel event. */
export const KernelPanel = memo(function KernelPanel({
  rows,
  previous,
  error,
  recordedAfter,
  source,
}: {
  rows: KernelRow[];
  previous: KernelRow[];
  error: string | null;
  recordedAfter?: number | null;
  /** Where the server reads the view (hello.kernelView); unknown for a saved session. */
  source?: 'netlink' | 'proc';
}) {
  // Why TCP rows may have no "TCP details" (tcp_info), where the reason is not the socket's own.
  const tcpInfoNote =
    source === 'proc'
      ? 'No TCP details here: they come from the kernel\'s TCP_INFO, which this server reads through netlink, and it is reading /proc/net, which has no such columns.'
      : source === 'netlink' && rows.some((r) => r.host && r.relation !== 'own' && (r.proto === 'tcp' || r.proto === 'tcp6') && !NO_TCP_INFO_STATES.has(r.state))
        ? 'On sandbox hosts only this session\'s own sockets have TCP details (asked of each socket); the other rows come from the host\'s /proc/net, which has no TCP_INFO.'
        : null;
  return (
    <section className="min-w-0" data-testid="kernel-panel" data-recorded-after={recordedAfter ?? undefined}>
      <h3 className="m-0 mb-1 text-sm font-bold">
        The kernel&apos;s view{recordedAfter !== undefined ? (recordedAfter === null ? ', before any call' : `, as recorded after step ${recordedAfter}`) : ''}
      </h3>
      <p className="m-0 mb-2 text-xs text-gray-600 dark:text-gray-400">
        {source === 'netlink' ? (
          <>
            Asked of the kernel after every step through its socket-diagnostics interface (netlink <code>sock_diag</code>), the way <code>ss -tan</code> does.
          </>
        ) : source === 'proc' ? (
          <>
            Read from <code>/proc/net/tcp</code> and friends after every step, like <code>ss -tan</code>.
          </>
        ) : (
          <>The kernel&apos;s socket table as it was recorded after each step.</>
        )}{' '}
        Highlighted rows just changed.
      </p>
      {tcpInfoNote ? (
        <p className="m-0 mb-2 text-xs text-gray-600 dark:text-gray-400" data-testid="tcp-info-note">
          {tcpInfoNote}
        </p>
      ) : null}
      {error ? <p className="m-0 mb-2 text-xs text-amber-800 dark:text-amber-300">{error}</p> : null}
      <KernelTable rows={rows} previous={previous} caption="Kernel socket table for this session" />
    </section>
  );
});
