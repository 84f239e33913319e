'use client';
import { usePageNetwork } from '@/app/_lib/network-lab/page-network';
import type { ChallengeRunnerProps } from './challenge-props';
import { ChallengePanel } from './ChallengePanel';

/** A challenge in the sandbox network: checked on the network lab's session, once it has a network. */
export function NetworkChallenge({ id, lesson, title }: ChallengeRunnerProps) {
  const call = usePageNetwork();
  return (
    <ChallengePanel
      id={id}
      lesson={lesson}
      title={title}
      check={call ? () => call({ challenge: id }) : null}
      notReady="Build the sandbox network in the network lab above first: the lab checks that network."
    />
  );
}
