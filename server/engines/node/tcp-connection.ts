/**
 * One TCP connection held by Node (a net.Socket), seen the way the kernel would show it to recv()
 * and send(): bytes stay in Node's paused readable buffer until the learner takes them, end of
 * stream comes after the last byte, an error is given to one call and then the connection is dead.
 *
 * Node's own half-close behaviour is switched off (allowHalfOpen) so that the peer's FIN leaves
 * this side open, as in the kernel's CLOSE_WAIT, until the learner closes it.
 */
import net from 'node:net';
import type { Endpoint } from '../../protocol/index.ts';
import { endpoint } from './addresses.ts';
import { errnoOf } from './errors.ts';
import { fdOf, readableHasEnded, streamHandle } from './handles.ts';

export type ConnectionChange = 'connected' | 'readable' | 'eof' | 'error' | 'drain';

export interface ConnectTarget {
  address: string;
  port: number;
  local: Endpoint | null;
}

export class TcpConnection {
  /** Set by whoever owns the connection now (the listener's queue, then the accepted socket). */
  onChange: (change: ConnectionChange) => void = () => {};

  private errno: string | null = null;
  private failed = false;
  private eof = false;
  private established: boolean;
  private readShut = false;
  /** Bytes received before shutdown('read'): still readable, as in the kernel. */
  private leftover: Buffer | null = null;
  private writeShut = false;
  private reading = false;
  private localEnd: Endpoint | null = null;
  private remoteEnd: Endpoint | null = null;

  private constructor(
    private readonly sock: net.Socket,
    established: boolean,
  ) {
    this.established = established;
    // Attached before anything else can happen: an unhandled 'error' on a net.Socket ends the process.
    sock.on('error', (err) => {
      this.errno = errnoOf(err);
      this.failed = true;
      this.onChange('error');
    });
    sock.on('end', () => {
      this.eof = true;
      this.onChange('eof');
    });
    sock.on('drain', () => this.onChange('drain'));
    if (established) this.rememberEnds();
  }

  /** A connection Node accepted with pauseOnConnect: nothing is read until `startReading`. */
  static accepted(sock: net.Socket): TcpConnection {
    return new TcpConnection(sock, true);
  }

  /** Node creates the socket, binds it (when a local address is given) and connects, in one step. */
  static connect(target: ConnectTarget): TcpConnection {
    const sock = new net.Socket({ allowHalfOpen: true });
    const conn = new TcpConnection(sock, false);
    sock.once('connect', () => {
      conn.established = true;
      conn.rememberEnds();
      conn.startReading();
      conn.onChange('connected');
    });
    const options: net.TcpNetConnectOpts = { host: target.address, port: target.port };
    if (target.local) {
      options.localAddress = target.local.address;
      if (target.local.port !== 0) options.localPort = target.local.port;
    }
    try {
      sock.connect(options);
    } catch (err) {
      sock.destroy();
      throw err;
    }
    return conn;
  }

  get connected(): boolean {
    return this.established && !this.failed;
  }

  get fd(): number | null {
    return fdOf(streamHandle(this.sock));
  }

  get local(): Endpoint | null {
    return this.localEnd;
  }

  get remote(): Endpoint | null {
    return this.remoteEnd;
  }

  /**
   * Paused mode with a 'readable' listener: Node fills its buffer (up to its high-water mark, then
   * the rest stays in the kernel) and nothing is consumed until `take`.
   */
  startReading(): void {
    if (this.reading) return;
    this.reading = true;
    this.sock.on('readable', () => {
      if (this.readShut) {
        this.discardIncoming();
        return;
      }
      // An empty 'readable' is the FIN arriving; Node follows it with 'end' by itself.
      if (this.sock.readableLength > 0) this.onChange('readable');
    });
  }

  /** Bytes the learner could recv() now. */
  get buffered(): number {
    return (this.leftover?.length ?? 0) + (this.readShut ? 0 : this.sock.readableLength);
  }

  /** Up to `max` bytes, or null when nothing is buffered. Two sends may come back as one piece. */
  take(max: number): Buffer | null {
    if (this.leftover) {
      const piece = this.leftover.subarray(0, max);
      this.leftover = this.leftover.length > max ? this.leftover.subarray(max) : null;
      return piece;
    }
    if (this.readShut) return null;
    const n = Math.min(max, this.sock.readableLength);
    if (n === 0) return null;
    const piece = this.sock.read(n) as Buffer | null;
    // Draining the buffer with read(n) never emits 'end'; an empty read lets Node announce it.
    if (this.sock.readableLength === 0) this.sock.read(0);
    return piece;
  }

  /** The error Node reported, given to one call only, as the kernel's pending socket error is. */
  takeError(): string | null {
    const errno = this.errno;
    this.errno = null;
    return errno;
  }

  /** The error waiting for the next call, without taking it (for watch reports). */
  get pendingError(): string | null {
    return this.errno;
  }

  /** No more bytes will come: the peer's FIN, shutdown('read'), or a dead connection. */
  get atEnd(): boolean {
    return this.eof || this.failed || (this.readShut && this.leftover === null) || (this.finReceived && this.buffered === 0);
  }

  /**
   * Node has the peer's FIN once its stream has ended, but says so ('end') only a tick after the
   * last byte is read; a recv() in between must already see end of stream, not EAGAIN.
   */
  private get finReceived(): boolean {
    return readableHasEnded(this.sock);
  }

  get canWrite(): boolean {
    return this.established && !this.writeShut && !this.failed && !this.sock.destroyed;
  }

  /** Node's write queue is over its limit: where the kernel's send() would block. */
  get writeFull(): boolean {
    return this.sock.writableNeedDrain;
  }

  /** Node queues the bytes and hands them to the kernel as soon as it can. */
  write(data: Buffer): void {
    this.sock.write(data);
  }

  /** end(): a FIN after whatever Node still has queued. */
  shutdownWrite(): void {
    if (this.writeShut) return;
    this.writeShut = true;
    this.sock.end();
  }

  shutdownRead(): void {
    if (this.readShut) return;
    const n = this.sock.readableLength;
    this.leftover = n > 0 ? (this.sock.read(n) as Buffer) : null;
    this.readShut = true;
    this.discardIncoming();
  }

  /**
   * close(). With bytes received and never read the kernel answers close() with a RST instead of a
   * FIN; Node has already taken those bytes out of the kernel, so the reset is asked for here.
   */
  close(): void {
    this.onChange = () => {};
    if (this.sock.destroyed) return;
    if (this.established && this.buffered > 0) this.sock.resetAndDestroy();
    else this.sock.destroy();
  }

  /** A queued connection dropped by its listener's close(): the kernel resets those. */
  reset(): void {
    this.onChange = () => {};
    if (!this.sock.destroyed) this.sock.resetAndDestroy();
  }

  private discardIncoming(): void {
    while (this.sock.read() !== null) {
      // Linux would still deliver these bytes after SHUT_RD; the fallback drops them (see composite).
    }
  }

  private rememberEnds(): void {
    // Node forgets both addresses once the socket is destroyed; the learner may still ask.
    this.localEnd = endpoint(this.sock.localAddress, this.sock.localPort);
    this.remoteEnd = endpoint(this.sock.remoteAddress, this.sock.remotePort);
  }
}
