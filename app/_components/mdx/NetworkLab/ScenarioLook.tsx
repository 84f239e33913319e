import type { ProtocolNetworkView } from '@/server/protocol';
import type { NetworkLook } from '@/content/network-scenarios';
import { count } from '@/app/_lib/plural';
import { HostAddresses } from './HostAddresses';
import { HostConntrack } from './HostConntrack';
import { HostNat } from './HostNat';
import { HostNeighbours } from './HostNeighbours';
import { HostRoutes } from './HostRoutes';
import { HostRules } from './HostRules';
import { LIST, PACKET } from './styles';

const TITLES = {
  addresses: 'interfaces and addresses',
  routes: 'routing table',
  neighbours: 'neighbour table (ARP / NDP)',
  rules: 'firewall rules and counters',
  nat: 'NAT rules',
  conntrack: 'tracked connections (conntrack)',
} as const;

/** The test id of a look's table, e.g. look-neighbours-laptop, look-forwards. */
export const lookId = (look: NetworkLook) => (look.view === 'forwards' ? 'look-forwards' : `look-${look.view}-${look.host}`);

/** One table a scenario step points at, read from the kernel after the step's call. */
export function ScenarioLook({ look, view }: { look: NetworkLook; view: ProtocolNetworkView }) {
  const id = lookId(look);
  if (look.view === 'forwards') {
    return (
      <section className="min-w-0" aria-label="router: port forwards" data-testid={id}>
        <h5 className="m-0 text-xs font-bold">router: port forwards</h5>
        <ul className={LIST}>
          {view.forwards.map((f) => (
            <li key={f.id} className="break-words" data-packets={f.packets}>
              {f.forward.protocol} 203.0.113.1:{f.forward.wanPort} → {f.forward.lanAddress}:{f.forward.lanPort} <span className="font-sans">({count(f.packets, PACKET)})</span>
            </li>
          ))}
          {view.forwards.length === 0 ? <li className="font-sans">none</li> : null}
        </ul>
      </section>
    );
  }
  const host = view.hosts.find((h) => h.name === look.host);
  const title = `${look.host}: ${TITLES[look.view]}`;
  return (
    <section className="min-w-0" aria-label={title} data-testid={id}>
      <h5 className="m-0 text-xs font-bold">{title}</h5>
      {!host ? (
        <p className="m-0 text-xs">This network has no host {look.host}.</p>
      ) : look.view === 'addresses' ? (
        <HostAddresses host={host} />
      ) : look.view === 'routes' ? (
        <HostRoutes host={host} />
      ) : look.view === 'neighbours' ? (
        <HostNeighbours host={host} />
      ) : look.view === 'rules' ? (
        <HostRules host={host} />
      ) : look.view === 'nat' ? (
        <HostNat host={host} />
      ) : (
        <HostConntrack host={host} />
      )}
    </section>
  );
}
