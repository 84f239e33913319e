import type { ChallengeId } from '@/server/protocol/challenges';

/** What each way of running a challenge (on the page's network, or on loopback) is given. */
export interface ChallengeRunnerProps {
  id: ChallengeId;
  /** The lesson the challenge counts toward (content/challenges.ts). */
  lesson: string;
  title: string;
}
