/**
 * The rule of `EngineSocket.watch`: an arrival (connection or data) is reported once and then the
 * socket stays quiet about reads until the learner's next read-side call; the peer closing and
 * errors are always reported.
 */
import type { SocketChange } from '../types.ts';

type Arrival = Extract<SocketChange, { change: 'connection-waiting' | 'data-waiting' }>;

export class ChangeReporter {
  private listener: ((change: SocketChange) => void) | null = null;
  private quiet = false;

  watch(listener: (change: SocketChange) => void): void {
    this.listener = listener;
  }

  stop(): void {
    this.listener = null;
  }

  arrived(change: Arrival): void {
    if (this.quiet || !this.listener) return;
    this.quiet = true;
    this.emit(change);
  }

  /** The learner called accept/recv/recvfrom: the next arrival is news again. */
  readCalled(): void {
    this.quiet = false;
  }

  happened(change: Exclude<SocketChange, Arrival>): void {
    this.emit(change);
  }

  private emit(change: SocketChange): void {
    try {
      this.listener?.(change);
    } catch (err) {
      // The listener runs inside a socket event: letting its bug escape would take the server down.
      console.error('socket change listener failed', err);
    }
  }
}
