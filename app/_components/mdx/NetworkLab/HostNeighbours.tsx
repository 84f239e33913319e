import type { HostView } from '@/app/_lib/network-lab/hosts';
import { LIST } from './styles';

/** A host's neighbour table (ARP for IPv4, NDP for IPv6): who on its links it knows the MAC address of. */
export function HostNeighbours({ host, testId }: { host: HostView; testId?: string }) {
  return (
    <ul className={LIST} aria-label={`${host.name}: neighbour table`} data-testid={testId}>
      {host.neighbours.map((n) => (
        <li key={`${n.device}-${n.address}`} className="break-words" data-neighbour={n.address}>
          {n.address} {n.mac ? `is at ${n.mac}` : '(no answer yet)'} on {n.device} · {n.state.join(', ').toLowerCase()}
        </li>
      ))}
      {host.neighbours.length === 0 ? <li className="font-sans">empty: this host has not needed anyone&apos;s MAC address yet</li> : null}
    </ul>
  );
}
