import type { HostView } from '@/app/_lib/network-lab/hosts';
import { count } from '@/app/_lib/plural';
import { LIST, PACKET } from './styles';

/** A host's NAT rules (the router's masquerade and forwards), with their counters. */
export function HostNat({ host, testId }: { host: HostView; testId?: string }) {
  return (
    <ul className={LIST} aria-label={`${host.name}: NAT rules`} data-testid={testId}>
      {host.nat.map((r) => (
        <li key={r.id} className="break-words">
          {r.nft} <span className="font-sans text-gray-700 dark:text-gray-300">({count(r.packets, PACKET)})</span>
        </li>
      ))}
      {host.nat.length === 0 ? <li className="font-sans">none: this host rewrites no addresses</li> : null}
    </ul>
  );
}
