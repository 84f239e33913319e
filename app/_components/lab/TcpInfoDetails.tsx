import type { TcpInfo } from '@/server/protocol';
import { tcpInfoLines } from '@/app/_lib/lab/tcp-info';
import { Term } from '../Term';

/**
 * One TCP row's tcp_info as label/value pairs. It sits inside the kernel table's horizontal scroll
 * area, so it sticks to the area's left edge and is never wider than the screen: on a phone it stays
 * readable without scrolling sideways.
 */
export function TcpInfoDetails({ info, id, label }: { info: TcpInfo; id: string; label: string }) {
  return (
    <div id={id} role="group" aria-label={label} className="sticky left-0 max-w-[calc(100vw-4rem)] px-2 py-2 font-sans sm:max-w-none" data-testid="tcp-info">
      <p className="m-0 mb-1 text-xs text-gray-700 dark:text-gray-300">
        The kernel&apos;s <code>TCP_INFO</code> for this socket (what <code>ss -ti</code> prints). Hover, focus or press a name for what it means.
      </p>
      <dl className="m-0 grid grid-cols-1 gap-x-4 gap-y-1 text-xs sm:grid-cols-2 lg:grid-cols-3">
        {tcpInfoLines(info).map((line) => (
          <div key={line.label} className="flex min-w-0 flex-wrap gap-x-2">
            <dt className="font-semibold text-gray-800 dark:text-gray-200" title={line.hint}>
              <Term term={line.label} meaning={line.hint} links={[]} code={false} />
            </dt>
            <dd className="m-0 font-mono text-gray-900 dark:text-gray-100">{line.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
