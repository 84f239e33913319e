/**
 * The `check` op (issue 18): grades one challenge against the kernel and real traffic. Each id of
 * CHALLENGE_IDS has its checker here; the answer lists every check with what the kernel said, and
 * passes only when all of them did. One check at a time per session (E_BUSY otherwise): a check
 * opens probe sockets and waits on the network for a few seconds.
 */
import type { ArgsOf, CHALLENGE_PLACES, ChallengeCheck, ChallengeId, ResultOf } from '../../protocol/index.ts';
import { LabFailure } from '../../protocol/errors.ts';
import type { CallInfo, OpContext } from '../op-context.ts';
import { sandboxCall } from '../sandbox-call.ts';
import { blockPhone } from './block-phone.ts';
import { bytesLeftOnServer } from './bytes-left-on-server.ts';
import type { LoopbackChecker, NetworkChecker } from './context.ts';
import { echo41234 } from './echo-41234.ts';
import { forwardToLaptop } from './forward-to-laptop.ts';
import { phoneNextHop } from './phone-next-hop.ts';
import { publicAddressListener } from './public-address-listener.ts';
import { serveHttp200 } from './serve-http-200.ts';

type Checker = { place: 'network'; run: NetworkChecker } | { place: 'loopback'; run: LoopbackChecker };

/** Each challenge's checker, in the place the protocol says it runs (the browser picks its session by it). */
const CHECKERS: { [I in ChallengeId]: Extract<Checker, { place: (typeof CHALLENGE_PLACES)[I] }> } = {
  'public-address-listener': { place: 'network', run: publicAddressListener },
  'forward-to-laptop': { place: 'network', run: forwardToLaptop },
  'block-phone': { place: 'network', run: blockPhone },
  'echo-41234': { place: 'loopback', run: echo41234 },
  'phone-next-hop': { place: 'network', run: phoneNextHop },
  'bytes-left-on-server': { place: 'network', run: bytesLeftOnServer },
  'serve-http-200': { place: 'network', run: serveHttp200 },
};

const checking = new WeakSet<OpContext>();

export async function check(session: OpContext, args: ArgsOf<'check'>, { onBlocked }: CallInfo): Promise<ResultOf<'check'>> {
  const { challenge } = args;
  if (checking.has(session)) throw new LabFailure('E_BUSY', 'A challenge is being checked already; wait for its answer.');
  checking.add(session);
  try {
    onBlocked(); // probes wait on the kernel for up to a few seconds
    const checks = await run(session, challenge);
    if (session.ended) throw new LabFailure('E_CANCELLED', 'The session ended.');
    return { challenge, passed: checks.length > 0 && checks.every((c) => c.passed), checks };
  } finally {
    checking.delete(session);
  }
}

function run(session: OpContext, challenge: ChallengeId): Promise<ChallengeCheck[]> {
  const checker: Checker = CHECKERS[challenge];
  if (checker.place === 'loopback') {
    const { engine, policy } = session.deps;
    return checker.run({
      engine,
      policy,
      socket: () => {
        session.sockets.ensureRoom();
        return engine.socket('tcp', 4);
      },
    });
  }
  const network = session.network();
  return sandboxCall(() => checker.run({ network }));
}
