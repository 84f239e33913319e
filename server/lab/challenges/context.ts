/**
 * What a challenge's checker works with: the session's network for the sandbox challenges, this
 * machine's engine and policy for the loopback ones. A checker returns every check it made.
 */
import type { Engine, EngineSocket } from '../../engines/types.ts';
import type { ChallengeCheck } from '../../protocol/index.ts';
import type { SandboxNetwork } from '../../sandbox/index.ts';
import type { LabPolicy } from '../policy.ts';

export interface NetworkChallengeContext {
  network: SandboxNetwork;
}

export interface LoopbackChallengeContext {
  engine: Engine;
  policy: LabPolicy;
  /** A loopback socket, within the session's socket cap (E_LIMIT beyond it). */
  socket: () => EngineSocket;
}

export type NetworkChecker = (ctx: NetworkChallengeContext) => Promise<ChallengeCheck[]>;
export type LoopbackChecker = (ctx: LoopbackChallengeContext) => Promise<ChallengeCheck[]>;
