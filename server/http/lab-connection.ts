/**
 * One accepted connection of a program, as the Duplex stream node:http serves: every read is a lab
 * recv(), every write a lab send(), the end a shutdown() and the last step a close(), each a real
 * call with its step event (and its packets' cause). node:http never sees the fd, so what the
 * learner reads in the timeline is everything the server did.
 *
 * Bounded: at most `maxBytesIn` read over the connection's life (then it is closed), and after
 * its write side is shut down it reads on only until the peer's FIN or DRAIN_MS, so a close() never
 * finds unread bytes and sends a reset in place of the FIN (RFC 2525 §2.17).
 */
import { Duplex } from 'node:stream';
import type { ProgramHost } from '../lab/program.ts';
import type { Endpoint } from '../protocol/index.ts';

const READ_CHUNK = 16 * 1024;
/** After the server's FIN: how long it waits for the client's before it closes anyway. */
const DRAIN_MS = 3000;

/** A lab call's refusal as the error a stream reports: its errno-like code and message. */
class LabCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class LabConnection extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  bytesIn = 0;
  private reading = false;
  private draining = false;
  private fdClosed = false;
  private drainTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: ProgramHost,
    readonly handle: string,
    peer: Endpoint,
    local: Endpoint,
    private readonly maxBytesIn: number,
    /** Called on every byte in or out: the program's idle timer. */
    private readonly heard: () => void,
  ) {
    super({ allowHalfOpen: true });
    this.remoteAddress = peer.address;
    this.remotePort = peer.port;
    this.localAddress = local.address;
    this.localPort = local.port;
  }

  override _read(): void {
    if (!this.reading) void this.readOnce();
  }

  private async readOnce(): Promise<void> {
    this.reading = true;
    const r = await this.host.call('recv', { sock: this.handle, max: READ_CHUNK });
    this.reading = false;
    if (this.fdClosed) return;
    if (!r.ok) {
      if (this.draining) this.destroy();
      else this.destroy(new LabCallError(r.error.code, r.error.message));
      return;
    }
    if ('eof' in r.result) {
      if (this.draining) this.destroy();
      else this.push(null);
      return;
    }
    this.heard();
    this.bytesIn += r.result.bytes;
    if (this.bytesIn > this.maxBytesIn) {
      this.destroy(new LabCallError('E_TOO_LARGE', `more than ${this.maxBytesIn} bytes on one connection`));
      return;
    }
    // Draining: the reply is sent; what the client still sends is read and dropped until its FIN.
    if (this.draining) void this.readOnce();
    else this.push(Buffer.from(r.result.base64, 'base64'));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    void this.sendAll(chunk).then(() => done(), done);
  }

  // node:http writes a response's head and body as separate chunks: one send() puts them in one segment.
  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    void this.sendAll(Buffer.concat(chunks.map((c) => c.chunk))).then(() => done(), done);
  }

  private async sendAll(bytes: Buffer): Promise<void> {
    let rest = bytes;
    while (rest.length) {
      if (this.fdClosed) throw new LabCallError('E_CANCELLED', 'the connection was closed');
      const r = await this.host.call('send', { sock: this.handle, data: rest.toString('base64'), encoding: 'base64' });
      if (!r.ok) throw new LabCallError(r.error.code, r.error.message);
      this.heard();
      rest = rest.subarray(r.result.bytes);
    }
  }

  /** The response is complete: the server's FIN, then read on until the client's (or DRAIN_MS). */
  override _final(done: (error?: Error | null) => void): void {
    void this.host.call('shutdown', { sock: this.handle, how: 'write' }).then((r) => {
      if (!r.ok) return done(new LabCallError(r.error.code, r.error.message));
      done();
      if (this.readableEnded || this.fdClosed) return;
      this.draining = true;
      this.drainTimer = setTimeout(() => this.destroy(), DRAIN_MS);
      this.drainTimer.unref();
      if (!this.reading) void this.readOnce();
    });
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    if (!this.fdClosed) {
      this.fdClosed = true;
      // Cancels a recv still blocked on this socket; the fd is released by the lab's close().
      void this.host.call('close', { sock: this.handle });
    }
    done(error);
  }

  /** node:http asks these of a net.Socket; a lab connection has its own limits (http-program.ts). */
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}
