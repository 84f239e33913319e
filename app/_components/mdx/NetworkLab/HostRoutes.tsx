import type { HostView } from '@/app/_lib/network-lab/hosts';

/** A host's routing table, one line a route, as `ip route` would say it (link-local routes left out). */
export function HostRoutes({ host }: { host: HostView }) {
  const routes = host.routes.filter((r) => r.destination !== 'fe80::/64');
  return (
    <ul className="m-0 list-none space-y-0.5 p-0 font-mono text-xs" aria-label={`${host.name}: routes`}>
      {routes.map((r, i) => (
        <li key={i} className="break-words">
          {r.destination}
          {r.gateway ? ` via ${r.gateway}` : ''}
          {r.device ? ` dev ${r.device}` : ''}
        </li>
      ))}
      {routes.length === 0 ? <li className="font-sans">no routes</li> : null}
    </ul>
  );
}
