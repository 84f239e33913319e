/**
 * The native engine's poll(2) (the lab's `poll` op). The kernel answers every question: the addon's
 * pollNow() is one real poll(2) with timeout 0 over all the polled fds. What happens here is only
 * the waiting between two such calls, on the sockets' own libuv watches (readiness.ts), so a
 * blocked poll costs no CPU and no thread, and closing a polled socket cancels it:
 *
 *   1. poll(2) at once; an answer (or timeout 0) is the result.
 *   2. Otherwise the poll is blocked: each socket's watch wakes us when it changes (POLLIN for "in",
 *      POLLOUT for "out"; hangups and errors always), and poll(2) is asked again. The first answer
 *      with anything in it is the result; a wake-up whose answer is empty keeps waiting.
 *   3. When the learner's timeout passes first, poll(2) is asked one last time and its answer, empty
 *      or not, is the result (as poll(2) returns 0 after its timeout).
 */
import type { PollEvent, PollRevent } from '../../protocol/index.ts';
import { EngineError, type EngineSocket, type Poller, type PollTarget, type PollWait } from '../types.ts';
import { asEngineError, type NativeAddon } from './addon.ts';
import type { Interest } from './readiness.ts';

/** The addon's bits for events and revents (src/pollset.c), never the platform's POLLIN values. */
const EVENT_BITS: Record<PollEvent, number> = { in: 1, out: 2 };
const REVENT_BITS: ReadonlyArray<readonly [PollRevent, number]> = [
  ['in', 1],
  ['out', 2],
  ['hup', 4],
  ['err', 8],
  ['nval', 16],
];

/** What a native socket lends its poller: its fd and a place on its one readiness watch. */
export interface PollMember {
  /** The fd, or null once the socket is closed. */
  fd(): number | null;
  /**
   * Adds `interest` to the socket's watch, and `onClose` to what its close() cancels; returns the
   * removal of both.
   */
  watch(interest: Interest, onClose: () => void): () => void;
}

function cancelled(): EngineError {
  return new EngineError('E_CANCELLED', 'The poll was cancelled: a polled socket was closed or the session ended.');
}

function decode(bits: number): PollRevent[] {
  return REVENT_BITS.filter(([, bit]) => bits & bit).map(([name]) => name);
}

class NativePoller implements Poller {
  readonly #addon: NativeAddon;
  readonly #members = new WeakMap<EngineSocket, PollMember>();

  constructor(addon: NativeAddon) {
    this.#addon = addon;
  }

  adopt(socket: EngineSocket, member: PollMember): void {
    this.#members.set(socket, member);
  }

  async poll(targets: readonly PollTarget[], timeoutMs: number, wait: PollWait): Promise<PollRevent[][]> {
    const members = targets.map(({ socket }) => {
      const member = this.#members.get(socket);
      if (!member) throw new EngineError('E_BAD_REQUEST', 'poll: every socket must belong to the native engine.');
      return member;
    });
    const events = targets.map((t) => t.events.reduce((bits, e) => bits | EVENT_BITS[e], 0));
    const look = (): PollRevent[][] => {
      const fds = members.map((m) => m.fd());
      if (fds.some((fd) => fd === null)) throw cancelled();
      try {
        return this.#addon.pollNow(fds.filter((fd) => fd !== null), events).map(decode);
      } catch (e) {
        throw asEngineError(e);
      }
    };
    const anything = (answer: PollRevent[][]) => answer.some((revents) => revents.length > 0);

    if (wait.signal.aborted) throw cancelled();
    const first = look();
    if (timeoutMs === 0 || anything(first)) return first;

    wait.onBlocked();
    return new Promise<PollRevent[][]>((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const removals: Array<() => void> = [];
      if (wait.recheck) removals.push(wait.recheck(() => again(false)));
      const settle = (): boolean => {
        if (done) return false;
        done = true;
        for (const remove of removals) remove();
        if (timer) clearTimeout(timer);
        wait.signal.removeEventListener('abort', cancel);
        return true;
      };
      const cancel = () => {
        if (settle()) reject(cancelled());
      };
      /** Asks poll(2) again; `final` (the timeout passed) settles even on an empty answer. */
      const again = (final: boolean) => {
        if (done) return;
        let answer: PollRevent[][];
        try {
          answer = look();
        } catch (e) {
          if (settle()) reject(asEngineError(e));
          return;
        }
        if ((final || anything(answer)) && settle()) resolve(answer);
      };
      wait.signal.addEventListener('abort', cancel, { once: true });
      targets.forEach((target, i) => {
        const interest: Interest = {
          readable: target.events.includes('in'),
          writable: target.events.includes('out'),
          ready: () => again(false),
        };
        removals.push(members[i]!.watch(interest, cancel));
      });
      if (timeoutMs > 0) timer = setTimeout(() => again(true), timeoutMs);
    });
  }
}

const pollers = new WeakMap<NativeAddon, NativePoller>();

/** The one poller of an addon: every socket it made (the sandbox's too) can be polled together. */
export function nativePoller(addon: NativeAddon): NativePoller {
  let poller = pollers.get(addon);
  if (!poller) {
    poller = new NativePoller(addon);
    pollers.set(addon, poller);
  }
  return poller;
}
