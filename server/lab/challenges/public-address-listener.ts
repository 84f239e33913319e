/**
 * Lesson 4: "listen on the address `server` sees your laptop as". The check first asks the kernel
 * what that address is (laptop really connects to server, and server's accept() names the peer),
 * then looks for a TCP listener bound to exactly that address in the router's socket table, and
 * connects to it from server.
 */
import type { ChallengeCheck } from '../../protocol/index.ts';
import { ipv4Of } from './addresses.ts';
import type { NetworkChecker } from './context.ts';
import { acceptWithin, connectFailure, connectWithin, Probes } from './probes.ts';

export const publicAddressListener: NetworkChecker = async ({ network }) => {
  const server = ipv4Of('server');
  const probes = new Probes();
  try {
    const checks: ChallengeCheck[] = [];
    const listener = await probes.add(() => network.socket('server', 'tcp', 4));
    const { port } = await listener.bind(server, 0);
    await listener.listen(4);
    const laptop = await probes.add(() => network.socket('laptop', 'tcp', 4));
    const outcome = await connectWithin(laptop, server, port);
    const accepted = outcome.connected ? await acceptWithin(listener) : null;
    if (accepted) await probes.add(() => accepted.socket);
    checks.push({
      name: `server accepts a connection from laptop and reads its peer address`,
      passed: accepted !== null,
      detail: accepted ? `server's accept() says the peer is ${accepted.peer.address}:${accepted.peer.port}` : outcome.connected ? 'nothing arrived' : connectFailure(outcome),
    });
    if (!accepted) return checks;
    const seenAs = accepted.peer.address;

    const rows = await network.kernelTable('router');
    const listeners = rows.filter((r) => r.proto === 'tcp' && r.state === 'LISTEN');
    const bound = listeners.find((r) => r.local.address === seenAs);
    checks.push({
      name: `router has a TCP socket listening on ${seenAs} itself`,
      passed: bound !== undefined,
      detail: bound
        ? `LISTEN ${bound.local.address}:${bound.local.port}`
        : listeners.length > 0
          ? `the router listens on ${listeners.map((r) => `${r.local.address}:${r.local.port}`).join(', ')}, not on ${seenAs}`
          : 'nothing listens on the router',
    });
    if (!bound) return checks;

    const probe = await probes.add(() => network.socket('server', 'tcp', 4));
    const reached = await connectWithin(probe, seenAs, bound.local.port);
    checks.push({
      name: `server connects to ${seenAs}:${bound.local.port}`,
      passed: reached.connected,
      detail: reached.connected ? `connected from ${reached.local.address}:${reached.local.port}` : connectFailure(reached),
    });
    return checks;
  } finally {
    probes.close();
  }
};
