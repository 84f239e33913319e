import type { ProtocolNetworkView } from '@/server/protocol';
import { HOST_PLACES } from '@/app/_lib/network-lab/hosts';
import { HostCard } from './HostCard';
import { NetworkSegment } from './NetworkSegment';
import { NetworkWire } from './NetworkWire';

/**
 * The network drawn top to bottom: the home LAN, the router between, the internet below. Top to
 * bottom, so the same drawing reads on a phone; the wires name the interfaces the kernel reports.
 */
export function NetworkDiagram({ view }: { view: ProtocolNetworkView }) {
  const at = (place: 'lan' | 'router' | 'wan') => view.hosts.filter((h) => HOST_PLACES[h.name] === place);
  const wire = (segment: 'lan' | 'wan') =>
    view.links
      .filter((l) => l.segment === segment)
      .map((l) => `${l.a.host} ${l.a.interface} ↔ ${l.b.host} ${l.b.interface}`)
      .join(' · ');
  const router = at('router');
  return (
    <figure className="m-0" aria-label="Your sandbox network, as the kernel reports it" data-testid="network-diagram">
      <NetworkSegment segment={view.segments.find((s) => s.name === 'lan')} hosts={at('lan')} />
      <NetworkWire label={wire('lan')} />
      <div className="max-w-md">
        {router.map((h) => (
          <HostCard key={h.name} host={h} />
        ))}
      </div>
      <NetworkWire label={wire('wan')} />
      <NetworkSegment segment={view.segments.find((s) => s.name === 'wan')} hosts={at('wan')} />
      <figcaption className="mt-1 text-xs text-gray-700 dark:text-gray-300">Each host is a real network namespace; each line a real veth link. Addresses, routes and tables are read from the kernel.</figcaption>
    </figure>
  );
}
