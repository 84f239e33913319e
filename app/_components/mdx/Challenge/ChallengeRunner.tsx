'use client';
import { CHALLENGE_PLACES } from '@/server/protocol/challenges';
import type { ChallengeRunnerProps } from './challenge-props';
import { LoopbackChallenge } from './LoopbackChallenge';
import { NetworkChallenge } from './NetworkChallenge';

/** A sandbox challenge checks the page's network lab's network; a loopback one opens its own lab session. */
export function ChallengeRunner(props: ChallengeRunnerProps) {
  return CHALLENGE_PLACES[props.id] === 'network' ? <NetworkChallenge {...props} /> : <LoopbackChallenge {...props} />;
}
