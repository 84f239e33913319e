'use client';
import { useLabSession } from '@/app/_lib/lab/use-lab-session';
import type { ChallengeRunnerProps } from './challenge-props';
import { ChallengePanel } from './ChallengePanel';

/** A challenge on this machine's loopback: checked on a lab session of its own. */
export function LoopbackChallenge({ id, lesson, title }: ChallengeRunnerProps) {
  const { call, status } = useLabSession();
  return (
    <ChallengePanel
      id={id}
      lesson={lesson}
      title={title}
      check={status === 'open' ? () => call('check', { challenge: id }) : null}
      notReady={status === 'closed' ? 'The lab server cannot be reached, so nothing can be checked.' : 'Connecting to the lab…'}
    />
  );
}
