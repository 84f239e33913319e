/**
 * Lesson 5: "make `server` reach a listener on `laptop` through the router". The router's forwards
 * are read from its nat table; for each TCP one to laptop, `server` really connects to the router's
 * public address and port, and laptop's own socket table must show that very connection arriving
 * (from server's address and the probe's port: a forward rewrites the destination, not the source).
 */
import type { ChallengeCheck, KernelRow } from '../../protocol/index.ts';
import { ipv4Of, ROUTER_WAN } from './addresses.ts';
import type { NetworkChecker } from './context.ts';
import { connectFailure, connectWithin, Probes, settle } from './probes.ts';

/** Forwards tried at most, so one check stays a few seconds long. */
const MAX_FORWARDS = 4;

export const forwardToLaptop: NetworkChecker = async ({ network }) => {
  const laptop = ipv4Of('laptop');
  const server = ipv4Of('server');
  const view = await network.show();
  const toLaptop = view.forwards.filter((f) => f.forward.protocol === 'tcp' && f.forward.lanAddress === laptop);
  const checks: ChallengeCheck[] = [
    {
      name: `the router forwards a TCP port of ${ROUTER_WAN} to laptop (${laptop})`,
      passed: toLaptop.length > 0,
      detail:
        toLaptop.length > 0
          ? toLaptop.map((f) => `${ROUTER_WAN}:${f.forward.wanPort} → ${laptop}:${f.forward.lanPort}`).join(', ')
          : view.forwards.length > 0
            ? `its forwards go elsewhere: ${view.forwards.map((f) => `${f.forward.protocol} ${f.forward.wanPort} → ${f.forward.lanAddress}:${f.forward.lanPort}`).join(', ')}`
            : "the router's nat table has no port forward",
    },
  ];
  for (const { forward } of toLaptop.slice(0, MAX_FORWARDS)) {
    const probes = new Probes();
    try {
      const sock = await probes.add(() => network.socket('server', 'tcp', 4));
      const outcome = await connectWithin(sock, ROUTER_WAN, forward.wanPort);
      checks.push({
        name: `server connects to ${ROUTER_WAN}:${forward.wanPort}`,
        passed: outcome.connected,
        detail: outcome.connected ? `connected from ${outcome.local.address}:${outcome.local.port}` : connectFailure(outcome),
      });
      if (!outcome.connected) continue;
      const from = outcome.local;
      const arrived = await settle(async () => {
        const rows = await network.kernelTable('laptop');
        return rows.find((r) => isArrival(r, forward.lanPort, server, from.port)) ?? null;
      });
      checks.push({
        name: `laptop's kernel shows the connection arrive on port ${forward.lanPort} from ${server}:${from.port}`,
        passed: arrived !== null,
        detail: arrived
          ? `${arrived.local.address}:${arrived.local.port} ⇄ ${arrived.remote.address}:${arrived.remote.port}, ${arrived.state}`
          : "no such connection in laptop's socket table",
      });
      if (arrived) break; // one working forward is the challenge met
    } finally {
      probes.close();
    }
  }
  return checks;
};

function isArrival(row: Pick<KernelRow, 'proto' | 'local' | 'remote' | 'state'>, lanPort: number, from: string, fromPort: number): boolean {
  return (
    row.proto.startsWith('tcp') &&
    row.local.port === lanPort &&
    row.remote.port === fromPort &&
    (row.remote.address === from || row.remote.address === `::ffff:${from}`) &&
    row.state !== 'LISTEN'
  );
}
