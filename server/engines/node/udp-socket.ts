/**
 * A learner's UDP socket in the fallback engine, on node:dgram. bind(), connect() and sendto() are
 * real and separate calls here. Receiving is where Node differs: it reads every datagram as soon as
 * it arrives, so the datagrams wait in a queue of the lab's, one entry per datagram (boundaries
 * kept), until recvfrom() takes one.
 */
import type { OptionValue, SocketOption } from '../../protocol/index.ts';
import { unsupportedOption } from './options.ts';
import dgram from 'node:dgram';
import type { Endpoint } from '../../protocol/index.ts';
import { EngineError, type AcceptResult, type EngineSocket, type Family, type ShutdownHow, type SocketChange, type WaitOptions } from '../types.ts';
import { checkAddress, checkPort, loopback } from './addresses.ts';
import { ChangeReporter } from './changes.ts';
import { cancelled, errnoOf, toEngineError } from './errors.ts';
import { dgramHandle, fdOf, inodeOf } from './handles.ts';
import type { SocketRegistry } from './tcp-socket.ts';
import { WaitSlot } from './waiting.ts';

/** Linux's default receive buffer (net.core.rmem_default) is 208 KiB; past it, datagrams are dropped. */
export const UDP_QUEUE_BYTES = 212_992;

interface Datagram {
  data: Buffer;
  from: Endpoint;
}

export class NodeUdpSocket implements EngineSocket {
  readonly type = 'udp' as const;

  private readonly sock: dgram.Socket;
  private readonly queue: Datagram[] = [];
  private queuedBytes = 0;
  private bound = false;
  private peer: Endpoint | null = null;
  private closed = false;
  /** An error the kernel reported on its own (ICMP port unreachable → ECONNREFUSED), for the next call. */
  private pendingErrno: string | null = null;
  /** A bind() waiting for Node: dgram reports bind failures only as an 'error' event. */
  private binding: ((err: EngineError | null) => void) | null = null;
  private bindInFlight: Promise<void> | null = null;
  private readonly reporter = new ChangeReporter();
  private readonly reads = new WaitSlot('read');

  constructor(
    readonly family: Family,
    private readonly registry: SocketRegistry,
  ) {
    this.sock = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
    this.sock.on('error', (err) => this.onError(err));
    this.sock.on('message', (data, rinfo) => this.onMessage(data, { address: rinfo.address, port: rinfo.port }));
    registry.add(this);
  }

  /** Node creates the kernel socket at the first bind (explicit, or implicit at connect/sendto). */
  get fd(): number | null {
    return this.closed ? null : fdOf(dgramHandle(this.sock));
  }

  inode(): number | null {
    return inodeOf(this.fd);
  }

  async bind(address: string, port: number): Promise<Endpoint> {
    this.refuseIfClosed();
    checkAddress(address, this.family);
    checkPort(port);
    if (this.bound || this.binding) throw new EngineError('EINVAL', 'the socket is already bound');
    await this.realBind(address, port);
    return this.localAddress() ?? { address, port };
  }

  async listen(): Promise<void> {
    this.refuseIfClosed();
    throw new EngineError('EOPNOTSUPP', 'listen() is for stream sockets');
  }

  async accept(): Promise<AcceptResult> {
    this.refuseIfClosed();
    throw new EngineError('EOPNOTSUPP', 'accept() is for stream sockets');
  }

  /** A UDP connect() sends nothing: it fixes the peer, so the kernel filters and routes by it. */
  async connect(address: string, port: number): Promise<{ local: Endpoint }> {
    this.refuseIfClosed();
    checkAddress(address, this.family);
    checkPort(port);
    await this.bindIfUnbound();
    // Linux lets a UDP socket connect again to a new peer; Node wants a disconnect() first.
    if (this.peer) {
      this.sock.disconnect();
      this.peer = null;
    }
    await new Promise<void>((resolve, reject) => {
      try {
        this.sock.connect(port, address, (err?: Error) => (err ? reject(toEngineError(err)) : resolve()));
      } catch (err) {
        reject(toEngineError(err));
      }
    });
    this.peer = { address, port };
    const local = this.localAddress();
    if (!local) throw new EngineError('EBADF', 'the socket was closed');
    return { local };
  }

  async send(data: Buffer): Promise<number> {
    this.refuseIfClosed();
    this.throwPendingError();
    if (!this.peer) throw new EngineError('EDESTADDRREQ', 'send() needs a connected socket: use sendto()');
    return this.transmit(data, null);
  }

  async sendto(data: Buffer, address: string, port: number): Promise<number> {
    this.refuseIfClosed();
    checkAddress(address, this.family);
    checkPort(port);
    this.throwPendingError();
    if (this.peer && (this.peer.address !== address || this.peer.port !== port)) {
      throw new EngineError('E_UNSUPPORTED', 'Node cannot sendto() another address from a connected UDP socket');
    }
    await this.bindIfUnbound();
    return this.transmit(data, this.peer ? null : { address, port });
  }

  async recv(max: number, wait: WaitOptions): Promise<Buffer> {
    return (await this.recvfrom(max, wait)).data;
  }

  async recvfrom(max: number, wait: WaitOptions): Promise<{ data: Buffer; from: Endpoint }> {
    this.reporter.readCalled();
    const datagram = await this.reads.run(wait, () => this.recvAttempt(max), 'EAGAIN');
    this.reportLeftAfterRead();
    return datagram;
  }

  async shutdown(how: ShutdownHow): Promise<void> {
    void how;
    this.refuseIfClosed();
    if (!this.peer) throw new EngineError('ENOTCONN', 'the socket is not connected');
    throw new EngineError('E_UNSUPPORTED', 'Node has no shutdown() for UDP sockets');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reporter.stop();
    this.reads.cancel();
    this.binding?.(cancelled());
    this.queue.length = 0;
    try {
      this.sock.close();
    } catch {
      // Already closed by Node (never bound and never used): nothing left to release.
    }
    this.registry.delete(this);
  }

  localAddress(): Endpoint | null {
    if (this.closed || !this.bound) return null;
    try {
      const a = this.sock.address();
      return { address: a.address, port: a.port };
    } catch {
      return null;
    }
  }

  remoteAddress(): Endpoint | null {
    return this.closed || !this.peer ? null : { ...this.peer };
  }

  setOption(option: SocketOption): Promise<void> {
    return Promise.reject(unsupportedOption(option));
  }

  getOption(option: SocketOption): Promise<OptionValue> {
    return Promise.reject(unsupportedOption(option));
  }

  watch(listener: (change: SocketChange) => void): void {
    this.reporter.watch(listener);
  }

  private recvAttempt(max: number): { data: Buffer; from: Endpoint } | undefined {
    this.refuseIfClosed();
    // Linux checks the socket's pending error before its queue on a UDP receive.
    this.throwPendingError();
    const next = this.queue.shift();
    if (!next) return undefined;
    this.queuedBytes -= next.data.length;
    // A datagram is read whole or truncated: what does not fit in `max` is lost, as with recvfrom(2).
    return { data: next.data.subarray(0, max), from: next.from };
  }

  /**
   * The kernel binds an unbound UDP socket to the wildcard address and a free port at first use;
   * this engine binds loopback instead (see loopback()).
   */
  private async bindIfUnbound(): Promise<void> {
    // A bind() of the learner's may still be waiting for Node: its outcome decides.
    await this.bindInFlight?.catch(() => {});
    if (!this.bound) await this.realBind(loopback(this.family), 0);
  }

  private realBind(address: string, port: number): Promise<void> {
    const attempt = this.startBind(address, port).finally(() => {
      if (this.bindInFlight === attempt) this.bindInFlight = null;
    });
    this.bindInFlight = attempt;
    return attempt;
  }

  private startBind(address: string, port: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onListening = () => {
        this.bound = true;
        this.binding?.(null);
      };
      this.binding = (err) => {
        this.binding = null;
        this.sock.removeListener('listening', onListening);
        if (err) reject(err);
        else resolve();
      };
      this.sock.once('listening', onListening);
      try {
        this.sock.bind({ address, port, exclusive: true });
      } catch (err) {
        this.binding?.(toEngineError(err));
      }
    });
  }

  private transmit(data: Buffer, to: Endpoint | null): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const done = (err: Error | null, bytes?: number) => {
        if (err) reject(toEngineError(err));
        else resolve(bytes ?? data.length);
      };
      try {
        if (to) this.sock.send(data, to.port, to.address, done);
        else this.sock.send(data, done);
      } catch (err) {
        reject(toEngineError(err));
      }
    });
  }

  private onMessage(data: Buffer, from: Endpoint): void {
    if (this.closed) return;
    if (this.queuedBytes + data.length > UDP_QUEUE_BYTES) return;
    this.queue.push({ data, from });
    this.queuedBytes += data.length;
    if (this.reads.busy) this.reads.wake();
    else this.reporter.arrived({ change: 'data-waiting', bytes: this.queue[0].data.length });
  }

  /** Node emits bind failures and errors from recvmsg(2) (ECONNREFUSED after ICMP) here. */
  private onError(err: Error): void {
    if (this.closed) return;
    if (this.binding) {
      this.binding(toEngineError(err));
      return;
    }
    this.pendingErrno = errnoOf(err);
    if (this.reads.busy) this.reads.wake();
    else this.reporter.happened({ change: 'error', errno: this.pendingErrno });
  }

  private reportLeftAfterRead(): void {
    setImmediate(() => {
      if (this.closed || this.reads.busy || this.queue.length === 0) return;
      this.reporter.arrived({ change: 'data-waiting', bytes: this.queue[0].data.length });
    });
  }

  private throwPendingError(): void {
    const errno = this.pendingErrno;
    if (!errno) return;
    this.pendingErrno = null;
    throw new EngineError(errno);
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new EngineError('EBADF', 'the socket is closed');
  }
}
