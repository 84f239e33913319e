/**
 * One lab socket on the native addon: every method makes the real call. "Blocking" is the lab's
 * flag: the fd itself is always non-blocking, and a call the kernel answers with EAGAIN (or
 * EINPROGRESS for connect) either fails at once (non-blocking) or waits for readiness from libuv
 * and is made again, with no timers and no polling loops.
 */
import type { Endpoint, OptionValue, SocketOption } from '../../protocol/index.ts';
import {
  EngineError,
  type AcceptResult,
  type EngineSocket,
  type Family,
  type ShutdownHow,
  type SocketChange,
  type SocketType,
  type WaitOptions,
  type CancelSignal,
  type Poller,
} from '../types.ts';
import { asEngineError, type NativeAddon, type Readiness } from './addon.ts';
import { nativePoller } from './poll.ts';
import { FdReadiness, type Interest } from './readiness.ts';
import { nextState, type SocketEvent, type SocketState } from './socket-state.ts';

type Direction = 'readable' | 'writable';
type WatchMode = 'accept' | 'datagram' | 'stream' | 'connecting' | null;

/** The errno name an addon call threw (its `code`), or '' for anything else. */
function errnoOf(e: unknown): string {
  const code: unknown = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  return typeof code === 'string' ? code : '';
}

function cancelled(): EngineError {
  return new EngineError('E_CANCELLED', 'The call was cancelled: the socket was closed or the session ended.');
}

export class NativeSocket implements EngineSocket {
  readonly type: SocketType;
  readonly family: Family;
  readonly poller: Poller;
  readonly #addon: NativeAddon;
  readonly #registry: Set<NativeSocket>;
  readonly #readiness: FdReadiness;
  readonly #fd: number;
  /** Rejects each call that is waiting for the kernel (used by close). */
  readonly #cancels = new Set<() => void>();
  /** Changed only by #on(), through nextState() (socket-state.ts). */
  #state: SocketState;

  // watch() state: what has been reported, so each change is said once
  readonly #listeners: Array<(change: SocketChange) => void> = [];
  #watchInterest: Interest | null = null;
  #watchKey = '';
  #readCalls = 0;
  /** An arrival was reported: quiet about reads until the learner's next read-side call. */
  #readsQuiet = false;
  /** The socket has a pending error: quiet until the learner's next call, which will receive it. */
  #errorQuiet = false;

  constructor(addon: NativeAddon, fd: number, type: SocketType, family: Family, registry: Set<NativeSocket>, connected = false) {
    this.#addon = addon;
    this.#fd = fd;
    this.type = type;
    this.family = family;
    this.#state = connected ? 'connected' : 'created';
    this.#registry = registry;
    this.#readiness = new FdReadiness(addon, fd);
    registry.add(this);
    const poller = nativePoller(addon);
    poller.adopt(this, {
      fd: () => this.fd,
      watch: (interest, onClose) => {
        this.#cancels.add(onClose);
        this.#readiness.add(interest);
        return () => {
          this.#cancels.delete(onClose);
          this.#readiness.remove(interest);
        };
      },
    });
    this.poller = poller;
  }

  get fd(): number | null {
    return this.#state === 'closed' ? null : this.#fd;
  }

  /** Where the socket is in its life (socket-state.ts). */
  get state(): SocketState {
    return this.#state;
  }

  #on(event: SocketEvent): void {
    this.#state = nextState(this.#state, event);
  }

  inode(): number | null {
    if (this.#state === 'closed') return null;
    try {
      return this.#addon.inode(this.#fd);
    } catch {
      return null;
    }
  }

  // ------------------------------------------------------------------------------ calls

  bind(address: string, port: number): Promise<Endpoint> {
    return this.#call(() => {
      this.#addon.bind(this.#open(), address, port);
      return this.localAddress() ?? { address, port };
    });
  }

  listen(backlog: number): Promise<void> {
    return this.#call(() => {
      this.#addon.listen(this.#open(), backlog);
      this.#on('listened');
    });
  }

  accept(wait: WaitOptions): Promise<AcceptResult> {
    return this.#readSide(async () => {
      const got = await this.#blocking(wait, 'readable', () => this.#addon.accept(this.#open()));
      const socket = new NativeSocket(this.#addon, got.fd, 'tcp', this.family, this.#registry, true);
      const local = socket.localAddress() ?? { address: '', port: 0 };
      return { socket, peer: { address: got.address, port: got.port }, local };
    });
  }

  connect(address: string, port: number, wait: WaitOptions): Promise<{ local: Endpoint }> {
    return this.#call(async () => {
      const fd = this.#open();
      try {
        await this.#blocking(
          wait,
          'writable',
          () => this.#addon.connect(fd, address, port),
          () => this.#finishConnect(),
          // EALREADY: a second connect() while the first is in progress, which a blocking socket
          // would also wait out.
          ['EINPROGRESS', 'EALREADY'],
        );
        this.#on('connected');
      } catch (e) {
        const err = asEngineError(e);
        if (err.code === 'EINPROGRESS' || err.code === 'EALREADY') this.#on(this.type === 'tcp' ? 'connect-pending' : 'connect-failed');
        else if (err.code === 'EISCONN') this.#on('connected');
        else if (err.code !== 'E_CANCELLED') this.#on('connect-failed');
        throw err;
      }
      return { local: this.localAddress() ?? { address: '', port: 0 } };
    });
  }

  send(data: Buffer, wait: WaitOptions): Promise<number> {
    return this.#call(() => this.#blocking(wait, 'writable', () => this.#addon.send(this.#open(), data)));
  }

  recv(max: number, wait: WaitOptions): Promise<Buffer> {
    return this.#readSide(() => this.#blocking(wait, 'readable', () => this.#addon.recv(this.#open(), max)));
  }

  sendto(data: Buffer, address: string, port: number, wait: WaitOptions): Promise<number> {
    return this.#call(() =>
      this.#blocking(wait, 'writable', () => this.#addon.sendto(this.#open(), data, address, port)),
    );
  }

  recvfrom(max: number, wait: WaitOptions): Promise<{ data: Buffer; from: Endpoint }> {
    return this.#readSide(async () => {
      const got = await this.#blocking(wait, 'readable', () => this.#addon.recvfrom(this.#open(), max));
      // A stream socket's recvfrom names no sender: the sender is the peer.
      const from =
        got.address !== null && got.port !== null
          ? { address: got.address, port: got.port }
          : (this.remoteAddress() ?? { address: '', port: 0 });
      return { data: got.data, from };
    });
  }

  shutdown(how: ShutdownHow): Promise<void> {
    return this.#call(() => {
      this.#addon.shutdown(this.#open(), how);
      if (how !== 'write') this.#on('reads-ended');
    });
  }

  close(): void {
    if (this.#state === 'closed') return;
    const fd = this.#fd;
    this.#readiness.stop();
    this.#on('closed');
    for (const cancel of [...this.#cancels]) cancel();
    this.#registry.delete(this);
    try {
      this.#addon.close(fd);
    } catch {
      // The kernel released the fd whatever close() said; there is nothing to retry.
    }
  }

  localAddress(): Endpoint | null {
    if (this.#state === 'closed') return null;
    const name = this.#addon.getsockname(this.#fd);
    return name && name.port !== 0 ? name : null;
  }

  remoteAddress(): Endpoint | null {
    if (this.#state === 'closed') return null;
    return this.#addon.getpeername(this.#fd);
  }

  setOption(option: SocketOption, value: OptionValue): Promise<void> {
    return this.#call(() => {
      if (typeof value === 'number') this.#addon.setsockoptNamed(this.#open(), option, value, 0);
      else this.#addon.setsockoptNamed(this.#open(), option, value.onoff ? 1 : 0, value.linger);
    });
  }

  getOption(option: SocketOption): Promise<OptionValue> {
    return this.#call(() => {
      const got = this.#addon.getsockoptNamed(this.#open(), option);
      return typeof got === 'number' ? got : { onoff: got.onoff !== 0, linger: got.linger };
    });
  }

  watch(listener: (change: SocketChange) => void): void {
    this.#listeners.push(listener);
    this.#rearmWatch();
  }

  // ------------------------------------------------------------------------------ blocking

  #open(): number {
    if (this.#state === 'closed') throw new EngineError('EBADF', 'Bad file descriptor: the socket is closed.');
    return this.#fd;
  }

  /** Any learner call: a pending error is the call's to receive, so the watch may look again after. */
  async #call<T>(run: () => T | Promise<T>): Promise<T> {
    this.#errorQuiet = false;
    try {
      return await run();
    } catch (e) {
      throw asEngineError(e);
    } finally {
      this.#rearmWatch();
    }
  }

  /** accept/recv/recvfrom: while one waits, watch() stays off reads; after it, watch() re-arms. */
  async #readSide<T>(run: () => Promise<T>): Promise<T> {
    this.#readCalls++;
    this.#readsQuiet = false;
    this.#rearmWatch(); // the call itself is the reader now
    try {
      return await this.#call(run);
    } finally {
      this.#readCalls--;
      this.#rearmWatch();
    }
  }

  /**
   * Makes the real call; when the kernel says it would block: fail now (non-blocking) or report
   * onBlocked and make the call again each time libuv says the socket is ready.
   */
  async #blocking<T>(
    wait: WaitOptions,
    direction: Direction,
    first: () => T,
    again: () => T = first,
    wouldBlock: readonly string[] = ['EAGAIN'],
  ): Promise<T> {
    if (wait.signal.aborted) throw cancelled();
    try {
      return first();
    } catch (e) {
      // Would-block is the usual answer here (every connect says EINPROGRESS): look at its code
      // without building the EngineError that only a failure needs.
      if (!wait.blocking || !wouldBlock.includes(errnoOf(e))) throw asEngineError(e);
    }
    if (direction === 'writable' && again !== first) {
      // A non-blocking connect() says EINPROGRESS even when the handshake finished inside the call
      // (always so on loopback); a blocking connect() would have returned at once. Look before
      // calling it blocked.
      try {
        return again();
      } catch (e) {
        if (errnoOf(e) !== 'EAGAIN') throw e;
      }
    }
    wait.onBlocked();
    return this.#whenReady(direction, wait.signal, again);
  }

  #whenReady<T>(direction: Direction, signal: CancelSignal, attempt: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#state === 'closed') return reject(cancelled());
      const settle = () => {
        this.#readiness.remove(interest);
        signal.removeEventListener('abort', cancel);
        this.#cancels.delete(cancel);
      };
      const cancel = () => {
        settle();
        reject(cancelled());
      };
      const interest: Interest = {
        [direction]: true,
        ready: (events) => {
          let value: T;
          try {
            value = attempt();
          } catch (e) {
            let err = asEngineError(e);
            if (err.code === 'EAGAIN') {
              // A pending socket error this call does not collect would wake us forever (the watch
              // is level-triggered): collect it, as a kernel-blocked call would have returned it.
              const pending = events.error && this.#state !== 'closed' ? this.#addon.soError(this.#fd) : null;
              if (!pending) return; // woken early: keep waiting
              err = new EngineError(pending, `The socket reported ${pending} while the call waited.`);
            }
            settle();
            reject(err);
            return;
          }
          settle();
          resolve(value);
        },
      };
      signal.addEventListener('abort', cancel, { once: true });
      this.#cancels.add(cancel);
      this.#readiness.add(interest);
    });
  }

  /** The end of a non-blocking connect: SO_ERROR holds the kernel's verdict. */
  #finishConnect(): void {
    const fd = this.#open();
    const error = this.#addon.soError(fd);
    if (error) throw new EngineError(error, `connect() failed: ${error}`);
    if (this.type === 'tcp' && this.#addon.getpeername(fd) === null) {
      throw new EngineError('EAGAIN', 'still connecting');
    }
  }

  // ------------------------------------------------------------------------------ watch

  #watchMode(): WatchMode {
    switch (this.#state) {
      case 'closed':
        return null;
      case 'listening':
        return 'accept';
      default:
        if (this.type === 'udp') return 'datagram';
        if (this.#state === 'connected' || this.#state === 'reads-ended') return 'stream';
        return this.#state === 'connecting' ? 'connecting' : null;
    }
  }

  #watchWants(): Direction | null {
    if (this.#listeners.length === 0 || this.#errorQuiet) return null;
    const readsOpen = this.#readCalls === 0 && !this.#readsQuiet;
    switch (this.#watchMode()) {
      case 'accept':
      case 'datagram':
        return readsOpen ? 'readable' : null;
      case 'stream':
        return readsOpen && this.#state === 'connected' ? 'readable' : null;
      case 'connecting':
        // Only to notice that the handshake finished, so reads can be watched from then on.
        return 'writable';
      default:
        return null;
    }
  }

  #rearmWatch(): void {
    const want = this.#state === 'closed' ? null : this.#watchWants();
    const key = want ?? '';
    if (key === this.#watchKey) return;
    if (this.#watchInterest) this.#readiness.remove(this.#watchInterest);
    this.#watchInterest = null;
    this.#watchKey = key;
    if (want) {
      this.#watchInterest = { [want]: true, ready: (events) => this.#onWatchReady(events) };
      this.#readiness.add(this.#watchInterest);
    }
  }

  #onWatchReady(events: Readiness): void {
    if (this.#state === 'closed') return;
    const fd = this.#fd;
    const mode = this.#watchMode();
    let change: SocketChange | null = null;

    if (mode === 'connecting') {
      if (events.error || events.hangup) {
        this.#errorQuiet = true; // connect() again will return the kernel's verdict
      } else if (this.#addon.getpeername(fd) !== null) {
        this.#on('connected');
      }
    } else if (events.error) {
      // Never read the pending error here (SO_ERROR or a peek would consume it): it belongs to the
      // learner's next call. A hangup is still worth saying.
      if (mode === 'stream' && (events.hangup || events.disconnect) && this.#state === 'connected') {
        this.#on('reads-ended');
        change = { change: 'peer-closed' };
      }
      this.#errorQuiet = true;
    } else if (mode === 'accept') {
      this.#readsQuiet = true;
      change = { change: 'connection-waiting' };
    } else if (mode === 'datagram') {
      this.#readsQuiet = true;
      change = { change: 'data-waiting', bytes: this.#addon.readable(fd) };
    } else if (mode === 'stream') {
      change = this.#peekStream(fd);
    }

    this.#rearmWatch();
    if (change) this.#emit(change);
  }

  /** Looks without consuming: MSG_PEEK of one byte tells data from end of stream. */
  #peekStream(fd: number): SocketChange | null {
    let peeked: Buffer;
    try {
      peeked = this.#addon.recv(fd, 1, true);
    } catch (e) {
      const err = asEngineError(e);
      if (err.code === 'EAGAIN') return null;
      this.#errorQuiet = true;
      return { change: 'error', errno: err.code };
    }
    if (peeked.length > 0) {
      this.#readsQuiet = true;
      return { change: 'data-waiting', bytes: this.#addon.readable(fd) };
    }
    this.#on('reads-ended');
    return { change: 'peer-closed' };
  }

  #emit(change: SocketChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (e) {
        // A listener's bug must not take the server down from inside a libuv callback.
        console.error('socketlab: a watch listener threw', e);
      }
    }
  }
}
