/**
 * When to try a dropped connection again, for the lab and the class alike. After a server restart
 * every open tab reconnects at once; with a fixed schedule they would all arrive in the same few
 * milliseconds again and again (a thundering herd of hundreds of handshakes). Each delay is drawn
 * uniformly from zero up to a ceiling that doubles per failed attempt and stops at a cap ("full
 * jitter"), so the tabs spread out over the whole interval, and a success starts over.
 */
export interface Backoff {
  /** The ceiling for the first retry. */
  baseMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
}

/** The delay before retry number `attempt` (0 for the first retry): uniform in [0, ceiling]. */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.baseMs * 2 ** Math.max(0, attempt), b.maxMs);
  return Math.round(random() * ceiling);
}

/** The retries since the last success: `next()` after a failure, `reset()` after a success. */
export class RetrySchedule {
  private attempt = 0;

  constructor(
    private readonly backoff: Backoff,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return backoffDelay(this.attempt++, this.backoff, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}
