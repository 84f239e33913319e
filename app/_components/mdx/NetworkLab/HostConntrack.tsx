import type { HostView } from '@/app/_lib/network-lab/hosts';
import { LIST } from './styles';

type Tuple = NonNullable<HostView['conntrack']>[number]['original'];

/** One direction of a tracked connection, as conntrack prints it. */
function tupleText(t: Tuple): string {
  const end = (a: string, p: number | null) => (p === null ? a : `${a}:${p}`);
  return `${end(t.source, t.sourcePort)} → ${end(t.destination, t.destinationPort)}`;
}

/** The connections a host's kernel tracks: each as sent, and as its replies come back (after NAT). */
export function HostConntrack({ host, testId }: { host: HostView; testId?: string }) {
  if (!host.conntrack) return <p className="m-0 text-xs">This kernel does not show its connection tracking table here.</p>;
  return (
    <ul className={LIST} aria-label={`${host.name}: tracked connections`} data-testid={testId}>
      {host.conntrack.map((c, i) => (
        <li key={i} className="break-words" data-reply-port={c.reply.destinationPort ?? undefined}>
          {c.protocol} {c.state ? `${c.state} ` : ''}
          {tupleText(c.original)}, replies {tupleText(c.reply)}
          {c.sourceNat ? ' · source NAT' : ''}
          {c.destinationNat ? ' · destination NAT' : ''} · {c.expiresIn} s left
        </li>
      ))}
      {host.conntrack.length === 0 ? <li className="font-sans">no connections through this host right now</li> : null}
    </ul>
  );
}
