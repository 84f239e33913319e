/**
 * What the network lab derives from the session's steps and the network view: which sandbox host
 * each socket lives on, and the addresses worth offering in its forms. Pure functions, so they can
 * be tested without a browser.
 */
import { HOST_NAMES, type HostName, type ProtocolNetworkView } from '@/server/protocol';
import type { StepView } from '../lab/state';

export type HostView = ProtocolNetworkView['hosts'][number];

/**
 * Socket handle → sandbox host. A socket made with `host` lives there; a connection accepted on it
 * lives on the same host (docs/protocol.md). Sockets on this machine's loopback are not in the map.
 */
export function hostOfSockets(steps: readonly StepView[]): Map<string, HostName> {
  const hosts = new Map<string, HostName>();
  for (const step of steps) {
    if (step.status !== 'ok') continue;
    // Removing the network closes every socket on it (their handles are gone).
    if (step.op === 'network' && step.args.action === 'destroy') hosts.clear();
    if (step.op === 'socket' && step.args.host && step.result) hosts.set(step.result.sock, step.args.host);
    else if (step.op === 'accept' && step.result && step.sock) {
      const parent = hosts.get(step.sock);
      if (parent) hosts.set(step.result.sock, parent);
    }
  }
  return hosts;
}

/** A host's own addresses as the kernel reports them, loopback and link-local left out. */
export function hostAddresses(host: HostView | undefined): string[] {
  if (!host) return [];
  return host.interfaces.filter((i) => i.name !== 'lo').flatMap((i) => i.addresses.filter((a) => a.scope !== 'link' && a.scope !== 'host').map((a) => a.address));
}

/** Every address in the network, in host order: what ping, connect and rules are likely to name. */
export function networkAddresses(view: ProtocolNetworkView | null): string[] {
  if (!view) return [];
  return [...new Set(HOST_NAMES.flatMap((name) => hostAddresses(view.hosts.find((h) => h.name === name))))];
}

/** Where each host sits in the drawing: the home LAN, the router between, the internet. */
export const HOST_PLACES: Record<HostName, 'lan' | 'router' | 'wan'> = { laptop: 'lan', phone: 'lan', router: 'router', server: 'wan' };
