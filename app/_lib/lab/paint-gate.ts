/**
 * Keeps the frame of a click for the click's own feedback (issue 14). A click draws its provisional
 * row at once; whatever else reaches the page before that row is painted (the server's step, the
 * kernel view, packets) is held and applied just after the paint, in one batch. Otherwise a quick
 * answer or a kernel view landing in the same few milliseconds renders, lays out and paints the
 * whole lab in the frame that was to show one row, and the click's feedback misses its frame.
 *
 * The held updates wait for one frame at most (a hidden tab paints no frames: it waits for a timer),
 * and they are applied in the order they arrived.
 */

/** Runs a function once the next frame has been painted (or at once-ish where none will be). */
export type AfterPaint = (fn: () => void) => void;

export class PaintGate {
  private held: (() => void)[] | null = null;

  constructor(private readonly afterPaint: AfterPaint) {}

  /** A click's row is in the DOM: hold other updates until it has been painted. */
  hold(): void {
    if (this.held) return;
    this.held = [];
    this.afterPaint(() => this.release());
  }

  /** Applies an update now, or after the pending paint, behind the updates already held. */
  run(fn: () => void): void {
    if (this.held) this.held.push(fn);
    else fn();
  }

  /** Whether updates are being held (for tests and for callers that must not wait). */
  get holding(): boolean {
    return this.held !== null;
  }

  /** Applies what was held, oldest first. Updates held meanwhile by a new hold wait for it. */
  release(): void {
    const held = this.held;
    this.held = null;
    if (held) for (const fn of held) fn();
  }
}

/** The longest a held update waits: a tab hidden after the click paints no frame at all. */
const MAX_WAIT_MS = 100;

/**
 * In the browser: a task queued from the next animation frame callback runs just after that frame
 * is painted. Hidden tabs paint no frames, so a timer stands in for them (and bounds the wait).
 */
export function afterNextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame !== 'function' || document.visibilityState === 'hidden') {
    setTimeout(fn, 0);
    return;
  }
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
  };
  const timer = setTimeout(once, MAX_WAIT_MS);
  requestAnimationFrame(() => setTimeout(once, 0));
}
