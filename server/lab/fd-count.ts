/**
 * The process-wide count of lab sockets, shared by the main thread and every lab worker. Each
 * thread's engine knows only its own sockets, but the budget (server/lab/fd-budget.ts) is the one
 * process's: the count lives in a SharedArrayBuffer, each thread adds the change in its own count
 * (`sync`), and a check that lets a socket open reserves its place with one atomic add, so two
 * threads checking at once can never both take the last place.
 *
 * A thread's closes reach the count at its next sync (after each command it runs, and at least
 * every second): until then other threads see a count a little high and refuse a little early,
 * never late. Each thread also keeps its part in a slot of its own, so that when a worker dies
 * (its sockets closed by the addon's teardown) the main thread takes its part out (`forget`).
 * Layout: [total, the main thread's part, worker 0's part, worker 1's part, ...].
 */
const SYNC_MS = 1000;

export class SharedFdCount {
  private readonly total: Int32Array;
  /** What this thread has added to the total: its sockets at the last sync, plus reservations since. */
  private published = 0;
  private readonly timer: NodeJS.Timeout;

  /** `own`: this thread's open lab sockets (its engine's `openFds`); `slot`: 1 for the main thread, 2 + a worker's index (0 is the total). */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly slot: number,
    private readonly own: () => number,
  ) {
    this.total = new Int32Array(buffer);
    this.timer = setInterval(() => this.sync(), SYNC_MS);
    this.timer.unref();
  }

  static buffer(workers: number): SharedArrayBuffer {
    return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (workers + 2));
  }

  /** A dead worker's part leaves the total (main thread, once the worker has exited). */
  static forget(buffer: SharedArrayBuffer, slot: number): void {
    const a = new Int32Array(buffer);
    Atomics.sub(a, 0, Atomics.exchange(a, slot, 0));
  }

  /** Every thread's sockets now, as last synced (the start line, tests). */
  static total(buffer: SharedArrayBuffer): number {
    return Atomics.load(new Int32Array(buffer), 0);
  }

  private publish(n: number): void {
    this.published = n;
    Atomics.store(this.total, this.slot, n);
  }

  /** Brings this thread's part of the total up to date; returns the total. */
  sync(): number {
    const n = this.own();
    const total = Atomics.add(this.total, 0, n - this.published) + n - this.published;
    this.publish(n);
    return total;
  }

  /**
   * The check before a socket opens, in the shape the socket table asks it (`openFds() >= budget`
   * refuses): below the budget, the place is taken at once for the socket about to open.
   */
  reserve(budget: number): number {
    this.sync();
    const before = Atomics.add(this.total, 0, 1);
    if (before >= budget) {
      Atomics.sub(this.total, 0, 1);
      return before;
    }
    this.publish(this.published + 1);
    return before;
  }

  /** The thread is ending: its part leaves the total. */
  close(): void {
    clearInterval(this.timer);
    Atomics.sub(this.total, 0, this.published);
    this.publish(0);
  }
}
