import type { HostView } from '@/app/_lib/network-lab/hosts';
import { count } from '@/app/_lib/plural';
import { HostConntrack } from './HostConntrack';
import { HostNat } from './HostNat';
import { HostNeighbours } from './HostNeighbours';
import { HostRules } from './HostRules';

const H = 'm-0 mt-1 text-xs font-bold';

/** The kernel's other tables for one host: neighbours (ARP/NDP), firewall and NAT rules with counters, conntrack. */
export function HostTables({ host }: { host: HostView }) {
  const summary = [
    count(host.neighbours.length, { one: 'neighbour', other: 'neighbours' }),
    count(host.firewall.length, { one: 'rule', other: 'rules' }),
    ...(host.nat.length ? [count(host.nat.length, { one: 'NAT rule', other: 'NAT rules' })] : []),
    ...(host.conntrack ? [count(host.conntrack.length, { one: 'tracked connection', other: 'tracked connections' })] : []),
  ].join(' · ');
  return (
    <details className="mt-1 text-xs" data-testid={`host-tables-${host.name}`}>
      <summary className="cursor-pointer text-blue-800 underline dark:text-blue-300">{summary}</summary>
      <h5 className={H}>Neighbour table (ARP / NDP)</h5>
      <HostNeighbours host={host} testId={`neighbours-${host.name}`} />
      <h5 className={H}>Firewall rules</h5>
      <HostRules host={host} />
      {host.nat.length ? (
        <>
          <h5 className={H}>NAT rules</h5>
          <HostNat host={host} />
        </>
      ) : null}
      {host.conntrack ? (
        <>
          <h5 className={H}>Connection tracking (conntrack)</h5>
          <HostConntrack host={host} testId={`conntrack-${host.name}`} />
        </>
      ) : null}
    </details>
  );
}
