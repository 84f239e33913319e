/**
 * The sandbox network a lesson page has built, for the page's other blocks: a `<Challenge>` checks
 * the learner's network on the network lab's own /lab session (a network belongs to one session),
 * so the network lab publishes how to call that session while it has a network. A tiny external
 * store, as app/_lib/progress.ts is; one network lab per page publishes (the last one built wins).
 */
import { useSyncExternalStore } from 'react';
import type { ChallengeId } from '@/server/protocol';
import type { CallResult } from '@/server/protocol/client';

/** A call on the network lab's session: the `check` op is all a challenge needs. */
export type PageNetworkCall = (challenge: { challenge: ChallengeId }) => Promise<CallResult<'check'>>;

let current: PageNetworkCall | null = null;
const listeners = new Set<() => void>();

/** The network lab has a network (a call), or none any more (null). Returns an undo for cleanup. */
export function publishPageNetwork(call: PageNetworkCall | null): () => void {
  current = call;
  for (const l of listeners) l();
  return () => {
    if (current === call) publishPageNetwork(null);
  };
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePageNetwork(): PageNetworkCall | null {
  return useSyncExternalStore(
    subscribe,
    () => current,
    () => null,
  );
}
