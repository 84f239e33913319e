import type { HostView } from '@/app/_lib/network-lab/hosts';
import { count, NOUNS } from '@/app/_lib/plural';

const PACKET = { one: 'packet', other: 'packets' };
const H = 'm-0 mt-1 text-xs font-bold';
const LIST = 'm-0 list-none space-y-0.5 p-0 font-mono text-xs';

type Tuple = NonNullable<HostView['conntrack']>[number]['original'];

/** One direction of a tracked connection, as conntrack prints it. */
function tupleText(t: Tuple): string {
  const end = (a: string, p: number | null) => (p === null ? a : `${a}:${p}`);
  return `${end(t.source, t.sourcePort)} → ${end(t.destination, t.destinationPort)}`;
}

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
      <ul className={LIST} data-testid={`neighbours-${host.name}`}>
        {host.neighbours.map((n) => (
          <li key={`${n.device}-${n.address}`} className="break-words">
            {n.address} {n.mac ? `is at ${n.mac}` : '(no answer yet)'} on {n.device} · {n.state.join(', ').toLowerCase()}
          </li>
        ))}
        {host.neighbours.length === 0 ? <li className="font-sans">empty: this host has not needed anyone&apos;s MAC address yet</li> : null}
      </ul>
      <h5 className={H}>Firewall rules</h5>
      <ul className={LIST}>
        {host.firewall.map((r) => (
          <li key={r.id} className="break-words">
            {r.nft} <span className="font-sans text-gray-700 dark:text-gray-300">({count(r.packets, PACKET)}, {count(r.bytes, NOUNS.byte)})</span>
          </li>
        ))}
        {host.firewall.length === 0 ? <li className="font-sans">none: everything is accepted</li> : null}
      </ul>
      {host.nat.length ? (
        <>
          <h5 className={H}>NAT rules</h5>
          <ul className={LIST}>
            {host.nat.map((r) => (
              <li key={r.id} className="break-words">
                {r.nft} <span className="font-sans text-gray-700 dark:text-gray-300">({count(r.packets, PACKET)})</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {host.conntrack ? (
        <>
          <h5 className={H}>Connection tracking (conntrack)</h5>
          <ul className={LIST} data-testid={`conntrack-${host.name}`}>
            {host.conntrack.map((c, i) => (
              <li key={i} className="break-words">
                {c.protocol} {c.state ? `${c.state} ` : ''}
                {tupleText(c.original)}, replies {tupleText(c.reply)}
                {c.sourceNat ? ' · source NAT' : ''}
                {c.destinationNat ? ' · destination NAT' : ''} · {c.expiresIn} s left
              </li>
            ))}
            {host.conntrack.length === 0 ? <li className="font-sans">no connections through this host right now</li> : null}
          </ul>
        </>
      ) : null}
    </details>
  );
}
