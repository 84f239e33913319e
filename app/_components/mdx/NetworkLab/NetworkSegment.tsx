import type { ProtocolNetworkView } from '@/server/protocol';
import type { HostView } from '@/app/_lib/network-lab/hosts';
import { HostCard } from './HostCard';

type Segment = ProtocolNetworkView['segments'][number];

/** One network of the drawing (the home LAN or "the internet"), its prefixes, and the hosts on it. */
export function NetworkSegment({ segment, hosts }: { segment: Segment | undefined; hosts: HostView[] }) {
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
