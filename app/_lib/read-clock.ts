/**
 * When a lesson counts as read: its end has been seen, after real time on the page. Time counts
 * only while the page is visible (a tab left in the background is not reading), and seeing the
 * end early, by scrolling straight down, is remembered until the time is there too.
 */
export const READ_AFTER_MS = 30_000;

export class ReadClock {
  private visibleMs = 0;
  private visibleSince: number | null;
  private endSeen = false;

  constructor(now: number, visible: boolean, private readonly needMs = READ_AFTER_MS) {
    this.visibleSince = visible ? now : null;
  }

  visible(now: number): void {
    if (this.visibleSince === null) this.visibleSince = now;
  }

  hidden(now: number): void {
    if (this.visibleSince !== null) this.visibleMs += Math.max(0, now - this.visibleSince);
    this.visibleSince = null;
  }

  sawEnd(): void {
    this.endSeen = true;
  }

  /** Visible time so far. */
  spent(now: number): number {
    return this.visibleMs + (this.visibleSince === null ? 0 : Math.max(0, now - this.visibleSince));
  }

  isRead(now: number): boolean {
    return this.endSeen && this.spent(now) >= this.needMs;
  }

  /** How long until it could count as read, if the page stays visible (0 when it already can). */
  remaining(now: number): number {
    return Math.max(0, this.needMs - this.spent(now));
  }
}
