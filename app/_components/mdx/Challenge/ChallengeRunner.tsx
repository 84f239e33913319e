'use client';
import { CHALLENGE_PLACES, type ChallengeId } from '@/server/protocol/challenges';
import { LoopbackChallenge } from './LoopbackChallenge';
import { NetworkChallenge } from './NetworkChallenge';

export interface ChallengeRunnerProps {
  id: ChallengeId;
  /** The lesson the challenge counts toward (content/challenges.ts). */
  lesson: string;
  title: string;
}

/** A sandbox challenge checks the page's network lab's network; a loopback one opens its own lab session. */
export function ChallengeRunner(props: ChallengeRunnerProps) {
  return CHALLENGE_PLACES[props.id] === 'network' ? <NetworkChallenge {...props} /> : <LoopbackChallenge {...props} />;
}
