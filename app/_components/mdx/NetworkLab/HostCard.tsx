import { laneColor } from '@/app/_lib/lab/lane-colors';
import { HOST_NAMES } from '@/server/protocol';
import type { HostView } from '@/app/_lib/network-lab/hosts';
import { HostAddresses } from './HostAddresses';
import { HostRoutes } from './HostRoutes';
import { HostTables } from './HostTables';

/** One host in the drawing: its role, then its interfaces, routes and other tables, live from the kernel. */
export function HostCard({ host }: { host: HostView }) {
  const color = laneColor([...HOST_NAMES], host.name);
  return (
    <article className={`min-w-0 rounded-lg border border-l-4 border-gray-200 ${color.border} bg-white p-2 text-sm shadow-sm dark:border-gray-700 dark:bg-gray-900`} aria-label={`Host ${host.name}`} data-host={host.name}>
      <header className="flex flex-wrap items-baseline gap-x-2">
        <h4 className={`m-0 font-mono text-base font-bold ${color.text}`}>
          {host.name}
        </h4>
        <span className="text-xs text-gray-700 dark:text-gray-300">
          {host.role}
          {host.forwarding ? ' · forwards packets' : ''}
        </span>
      </header>
      <HostAddresses host={host} />
      <p className="m-0 mt-1 text-xs font-bold">Routes</p>
      <HostRoutes host={host} />
      <HostTables host={host} />
    </article>
  );
}
