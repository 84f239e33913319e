import type { ProtocolNetworkView } from '@/server/protocol';
import { HOST_PLACES, type HostView } from '@/app/_lib/network-lab/hosts';
import { HostCard } from './HostCard';

type Segment = ProtocolNetworkView['segments'][number];

function SegmentBox({ segment, hosts }: { segment: Segment | undefined; hosts: HostView[] }) {
  const name = segment?.name === 'wan' ? 'WAN: "the internet"' : 'LAN: the home network';
  return (
    <section className="rounded-xl border-2 border-dashed border-gray-300 p-2 dark:border-gray-600" aria-label={name} data-segment={segment?.name}>
      <h4 className="m-0 text-xs font-bold uppercase tracking-wide text-gray-700 dark:text-gray-300">
        {name} <span className="font-mono normal-case tracking-normal">{segment?.prefixes.join(' · ')}</span>
      </h4>
      {segment ? <p className="m-0 text-xs text-gray-700 dark:text-gray-300">{segment.description}</p> : null}
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        {hosts.map((h) => (
          <HostCard key={h.name} host={h} />
        ))}
      </div>
    </section>
  );
}

/** A link in the drawing: a vertical wire with the two interfaces it joins. */
function Wire({ label }: { label: string }) {
  return (
    <div className="flex items-center gap-2 py-1 pl-6 text-xs text-gray-700 dark:text-gray-300">
      <span aria-hidden="true" className="inline-block h-6 w-0.5 bg-gray-500" />
      <span className="font-mono">{label}</span>
    </div>
  );
}

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
      <SegmentBox segment={view.segments.find((s) => s.name === 'lan')} hosts={at('lan')} />
      <Wire label={wire('lan')} />
      <div className="max-w-md">
        {router.map((h) => (
          <HostCard key={h.name} host={h} />
        ))}
      </div>
      <Wire label={wire('wan')} />
      <SegmentBox segment={view.segments.find((s) => s.name === 'wan')} hosts={at('wan')} />
      <figcaption className="mt-1 text-xs text-gray-700 dark:text-gray-300">Each host is a real network namespace; each line a real veth link. Addresses, routes and tables are read from the kernel.</figcaption>
    </figure>
  );
}
