/**
 * How a learner's blocking call waits in the fallback. The call's `attempt` is run at once; if the
 * kernel (here: Node) has nothing for it yet, a non-blocking socket gets the would-block errno and a
 * blocking one tells the lab it is blocked and runs `attempt` again each time the socket reports a
 * change. Nothing polls: only events wake a waiting call.
 */
import { EngineError, type WaitOptions } from '../types.ts';
import { cancelled } from './errors.ts';

/** `attempt` returns undefined when the call would block, or throws the call's errno. */
export type Attempt<T> = () => T | undefined;

interface Waiting {
  retry: () => void;
  cancel: (err: EngineError) => void;
}

/** One direction of a socket (reading, writing, connecting) on which one call at a time may wait. */
export class WaitSlot {
  private waiting: Waiting | null = null;

  constructor(private readonly what: string) {}

  get busy(): boolean {
    return this.waiting !== null;
  }

  run<T>(wait: WaitOptions, attempt: Attempt<T>, wouldBlock: string): Promise<T> {
    if (wait.signal.aborted) return Promise.reject(cancelled());
    if (this.waiting) return Promise.reject(new EngineError('E_BUSY', `a ${this.what} call is already waiting`));
    try {
      const now = attempt();
      if (now !== undefined) return Promise.resolve(now);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!wait.blocking) return Promise.reject(new EngineError(wouldBlock));
    return this.block(wait, attempt);
  }

  /** Something changed on the socket: a waiting call tries again. */
  wake(): void {
    this.waiting?.retry();
  }

  cancel(err: EngineError = cancelled()): void {
    this.waiting?.cancel(err);
  }

  private block<T>(wait: WaitOptions, attempt: Attempt<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = () => {
        this.waiting = null;
        wait.signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        finish();
        reject(cancelled());
      };
      this.waiting = {
        retry: () => {
          let result: T | undefined;
          try {
            result = attempt();
          } catch (err) {
            finish();
            reject(err);
            return;
          }
          if (result !== undefined) {
            finish();
            resolve(result);
          }
        },
        cancel: (err) => {
          finish();
          reject(err);
        },
      };
      wait.signal.addEventListener('abort', onAbort, { once: true });
      wait.onBlocked();
    });
  }
}
