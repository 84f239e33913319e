/**
 * Lesson 6: "block `phone` from `server` but not `laptop`". A listener on server port 80 (the
 * learner's own if one is there already), then real connects from laptop and from phone at once:
 * laptop's must complete and phone's must not (refused, unreachable, or no answer at all).
 */
import type { ChallengeCheck } from '../../protocol/index.ts';
import { LabFailure } from '../../protocol/errors.ts';
import { ipv4Of } from './addresses.ts';
import type { NetworkChecker } from './context.ts';
import { connectFailure, connectWithin, Probes } from './probes.ts';

export const BLOCKED_PORT = 80;

export const blockPhone: NetworkChecker = async ({ network }) => {
  const server = ipv4Of('server');
  const probes = new Probes();
  try {
    const listener = await probes.add(() => network.socket('server', 'tcp', 4));
    let whose = 'a listener the check opened';
    try {
      await listener.bind('0.0.0.0', BLOCKED_PORT);
      await listener.listen(8);
    } catch (e) {
      if (!(e instanceof LabFailure && e.code === 'EADDRINUSE')) throw e;
      whose = 'your own listener, already there';
    }
    const [fromLaptop, fromPhone] = await Promise.all(
      (['laptop', 'phone'] as const).map(async (host) => {
        const sock = await probes.add(() => network.socket(host, 'tcp', 4));
        return connectWithin(sock, server, BLOCKED_PORT);
      }),
    );
    const checks: ChallengeCheck[] = [
      {
        name: `laptop connects to server ${server}:${BLOCKED_PORT} (${whose})`,
        passed: fromLaptop!.connected,
        detail: fromLaptop!.connected ? `connected from ${fromLaptop!.local.address}:${fromLaptop!.local.port}` : connectFailure(fromLaptop!),
      },
      {
        name: `phone cannot connect to server ${server}:${BLOCKED_PORT}`,
        passed: !fromPhone!.connected,
        detail: fromPhone!.connected ? `it connected, from ${fromPhone!.local.address}:${fromPhone!.local.port}` : connectFailure(fromPhone!),
      },
    ];
    return checks;
  } finally {
    probes.close();
  }
};
