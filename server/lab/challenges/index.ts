/**
 * The `check` op (issue 18): grades one challenge against the kernel and real traffic. Each id of
 * CHALLENGE_IDS has its checker here; the answer lists every check with what the kernel said, and
 * passes only when all of them did. One check at a time per session (E_BUSY otherwise): a check
 * opens probe sockets and waits on the network for a few seconds.
 */
import { CHALLENGE_PLACES, type ArgsOf, type ChallengeId, type ResultOf } from '../../protocol/index.ts';
import { LabFailure } from '../../protocol/errors.ts';
import type { CallInfo, OpContext } from '../op-context.ts';
import { sandboxCall } from '../sandbox-call.ts';
import { blockPhone } from './block-phone.ts';
import type { LoopbackChecker, NetworkChecker } from './context.ts';
import { echo41234 } from './echo-41234.ts';
import { forwardToLaptop } from './forward-to-laptop.ts';
import { publicAddressListener } from './public-address-listener.ts';

const NETWORK_CHECKERS: Record<Exclude<ChallengeId, 'echo-41234'>, NetworkChecker> = {
  'public-address-listener': publicAddressListener,
  'forward-to-laptop': forwardToLaptop,
  'block-phone': blockPhone,
};
const LOOPBACK_CHECKERS: Record<'echo-41234', LoopbackChecker> = { 'echo-41234': echo41234 };

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

function run(session: OpContext, challenge: ChallengeId) {
  if (CHALLENGE_PLACES[challenge] === 'loopback') {
    const checker = LOOPBACK_CHECKERS[challenge as keyof typeof LOOPBACK_CHECKERS];
    const { engine, policy } = session.deps;
    return checker({
      engine,
      policy,
      socket: () => {
        session.sockets.ensureRoom();
        return engine.socket('tcp', 4);
      },
    });
  }
  const checker = NETWORK_CHECKERS[challenge as keyof typeof NETWORK_CHECKERS];
  const network = session.network();
  return sandboxCall(() => checker({ network }));
}
