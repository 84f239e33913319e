import type { HostView } from '@/app/_lib/network-lab/hosts';
import { count, NOUNS } from '@/app/_lib/plural';
import { LIST, PACKET } from './styles';

/** A host's firewall rules in the kernel's order, each with the counters the kernel keeps. */
export function HostRules({ host, testId }: { host: HostView; testId?: string }) {
  return (
    <ul className={LIST} aria-label={`${host.name}: firewall rules`} data-testid={testId}>
      {host.firewall.map((r) => (
        <li key={r.id} className="break-words" data-rule={r.id} data-packets={r.packets} data-bytes={r.bytes}>
          {r.nft} <span className="font-sans text-gray-700 dark:text-gray-300">({count(r.packets, PACKET)}, {count(r.bytes, NOUNS.byte)})</span>
        </li>
      ))}
      {host.firewall.length === 0 ? <li className="font-sans">none: everything is accepted</li> : null}
    </ul>
  );
}
