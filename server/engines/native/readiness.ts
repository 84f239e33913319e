/**
 * One readiness watch per socket, shared by everyone who waits on it: a blocked recv or accept, a
 * blocked connect or send, and watch() of kernel changes. libuv allows only one uv_poll_t per fd,
 * so waiters register interests here and the addon is asked to watch their union.
 *
 * libuv's watch is level-triggered: while a socket stays readable the callback keeps firing. Each
 * waiter must therefore either consume the condition (make its call) or withdraw its interest.
 */
import type { NativeAddon, Readiness } from './addon.ts';

export interface Interest {
  readable?: boolean;
  writable?: boolean;
  /** Called when a wanted direction is ready, and on any socket error or hangup. */
  ready(events: Readiness): void;
}

export class FdReadiness {
  readonly #addon: NativeAddon;
  readonly #fd: number;
  readonly #interests = new Set<Interest>();
  /** The events libuv is watching now ('' = paused), or null when libuv stopped on its own. */
  #armed: string | null = null;
  #dispatching = false;
  #stopped = false;

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
    let readable = false;
    let writable = false;
    for (const i of this.#interests) {
      readable ||= Boolean(i.readable);
      writable ||= Boolean(i.writable);
    }
    const key = `${readable ? 'r' : ''}${writable ? 'w' : ''}`;
    if (key === this.#armed || (key === '' && this.#armed === null)) return;
    this.#addon.pollStart(this.#fd, { readable, writable }, this.#onReady);
    this.#armed = key;
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
