/**
 * One readiness watch per socket, shared by everyone who waits on it: a blocked recv or accept, a
 * blocked connect or send, and watch() of kernel changes. libuv allows only one uv_poll_t per fd,
 * so waiters register interests here and the addon is asked to watch their union.
 *
 * libuv's watch is level-triggered: while a socket stays readable the callback keeps firing. Each
 * waiter must therefore either consume the condition (make its call) or withdraw its interest.
 */
import type { NativeAddon, PollEvents, Readiness } from './addon.ts';

export interface Interest {
  readable?: boolean;
  writable?: boolean;
  /** Called when a wanted direction is ready, and on any socket error or hangup. */
  ready(events: Readiness): void;
}

const READ = 1;
const WRITE = 2;
/** pollStart's argument for each set of bits, made once. */
const EVENTS: readonly PollEvents[] = [
  { readable: false, writable: false },
  { readable: true, writable: false },
  { readable: false, writable: true },
  { readable: true, writable: true },
];

export class FdReadiness {
  readonly #addon: NativeAddon;
  readonly #fd: number;
  readonly #interests = new Set<Interest>();
  /** The events libuv is watching now (READ | WRITE bits, 0 = paused), or null when libuv stopped on its own. */
  #armed: number | null = null;
  #dispatching = false;
  #stopped = false;
  /** A pause is due once the current run of calls settles (see #sync). */
  #pausePending = false;

  constructor(addon: NativeAddon, fd: number) {
    this.#addon = addon;
    this.#fd = fd;
  }

  add(interest: Interest): void {
    if (this.#stopped) return;
    this.#interests.add(interest);
    this.#sync();
  }

  remove(interest: Interest): void {
    if (this.#interests.delete(interest) && !this.#dispatching) this.#sync();
  }

  /** Ends watching for good; must happen before the fd is closed. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#interests.clear();
    this.#addon.pollStop(this.#fd);
    this.#armed = null;
  }

  #sync(): void {
    if (this.#stopped) return;
    const want = this.#wanted();
    if (want === this.#armed || (want === 0 && this.#armed === null)) return;
    if (want === 0) {
      // A read-side call drops the watch's interest while it runs and takes it back when it returns
      // (socket.ts, #readSide): pausing at once would cost an epoll_ctl(DEL) and an (ADD) per call for
      // nothing. The pause waits until this run of JavaScript settles (ticks drain before libuv polls
      // again, so a level-triggered watch nobody wants never fires in between).
      if (!this.#pausePending) {
        this.#pausePending = true;
        process.nextTick(this.#settle);
      }
      return;
    }
    this.#arm(want);
  }

  readonly #settle = (): void => {
    this.#pausePending = false;
    if (this.#stopped) return;
    const want = this.#wanted();
    if (want !== this.#armed && !(want === 0 && this.#armed === null)) this.#arm(want);
  };

  /** What the interests want, as READ | WRITE bits: called on every wait and watch change of every call. */
  #wanted(): number {
    let want = 0;
    for (const i of this.#interests) want |= (i.readable ? READ : 0) | (i.writable ? WRITE : 0);
    return want;
  }

  #arm(want: number): void {
    this.#addon.pollStart(this.#fd, EVENTS[want]!, this.#onReady);
    this.#armed = want;
  }

  readonly #onReady = (error: string | null, events: Readiness): void => {
    // libuv stops the handle itself when it reports an error: it must be started again.
    if (error !== null) this.#armed = null;
    this.#dispatching = true;
    try {
      for (const i of [...this.#interests]) {
        if (this.#stopped) return;
        if (!this.#interests.has(i)) continue;
        const wanted = (i.readable && events.readable) || (i.writable && events.writable);
        if (wanted || events.error || events.hangup) i.ready(events);
      }
    } finally {
      this.#dispatching = false;
    }
    this.#sync();
  };
}
