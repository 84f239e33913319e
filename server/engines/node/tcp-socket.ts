/**
 * A learner's TCP socket in the fallback engine: the socket-level state machine (unbound or bound,
 * listening, connecting, connected, closed) answering each call with the errno Linux gives in that
 * state. The kernel socket only exists from listen() or connect() on, because Node has no bare
 * socket() or bind() for TCP; until then `fd` is null.
 */
import type { OptionValue, SocketOption } from '../../protocol/index.ts';
import { unsupportedOption } from './options.ts';
import net from 'node:net';
import type { Endpoint } from '../../protocol/index.ts';
import { EngineError, type AcceptResult, type EngineSocket, type Family, type ShutdownHow, type SocketChange, type WaitOptions } from '../types.ts';
import { checkAddress, checkLocalAddress, checkPort, endpointsOverlap, loopback } from './addresses.ts';
import { ChangeReporter } from './changes.ts';
import { cancelled, toEngineError } from './errors.ts';
import { inodeOf } from './handles.ts';
import { TcpConnection, type ConnectionChange } from './tcp-connection.ts';
import { TcpListener } from './tcp-listener.ts';
import { WaitSlot } from './waiting.ts';

type Phase =
  | { kind: 'idle' }
  | { kind: 'opening' }
  | { kind: 'listening'; listener: TcpListener }
  | { kind: 'connecting'; conn: TcpConnection }
  | { kind: 'connected'; conn: TcpConnection }
  | { kind: 'closed' };

/**
 * A trial bind(): Node binds a TCP socket only together with listen(), so this listens for an
 * instant and closes. A port another program holds is then EADDRINUSE at bind(), as in the kernel,
 * not only at listen(). The port is not held afterwards (composite.ts says so).
 */
function probeBind(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => reject(toEngineError(err)));
    probe.listen({ host: address, port, backlog: 1, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** How sockets tell their engine they exist (accepted ones too) and when they are gone. */
export interface SocketRegistry {
  add(socket: EngineSocket): void;
  delete(socket: EngineSocket): void;
  /** The engine's open sockets, for the checks a TCP bind() can make without a kernel socket. */
  all(): Iterable<EngineSocket>;
  /** Whether the engine may hold one more fd (a connection Node accepted for a listener). */
  roomForFd(): boolean;
}

export class NodeTcpSocket implements EngineSocket {
  readonly type = 'tcp' as const;

  private phase: Phase = { kind: 'idle' };
  private bound: Endpoint | null = null;
  /** An error of a connect() that failed in the background, for the next call (SO_ERROR). */
  private pendingErrno: string | null = null;
  /** A non-blocking connect() finished: Linux answers the next connect() with success once. */
  private connectUnreported = false;
  private readonly reporter = new ChangeReporter();
  private readonly reads = new WaitSlot('read');
  private readonly writes = new WaitSlot('send');
  private readonly connects = new WaitSlot('connect');

  constructor(
    readonly family: Family,
    private readonly registry: SocketRegistry,
  ) {
    registry.add(this);
  }

  static accepted(conn: TcpConnection, family: Family, registry: SocketRegistry): NodeTcpSocket {
    const socket = new NodeTcpSocket(family, registry);
    socket.adopt(conn);
    conn.startReading();
    return socket;
  }

  /** Fds this socket holds or will hold: its own, and the connections Node accepted for it. */
  get fdsHeld(): number {
    const p = this.phase;
    if (p.kind === 'closed') return 0;
    return 1 + (p.kind === 'listening' ? p.listener.waiting : 0);
  }

  get fd(): number | null {
    const p = this.phase;
    if (p.kind === 'listening') return p.listener.fd;
    if (p.kind === 'connecting' || p.kind === 'connected') return p.conn.fd;
    return null;
  }

  inode(): number | null {
    return inodeOf(this.fd);
  }

  /** Records the address for listen()/connect(); no kernel socket exists yet to bind. */
  async bind(address: string, port: number): Promise<Endpoint> {
    this.refuseIfClosed();
    if (this.bound || this.phase.kind !== 'idle') throw new EngineError('EINVAL', 'the socket is already bound');
    checkAddress(address, this.family);
    checkPort(port);
    checkLocalAddress(address, this.family);
    this.refuseIfHeld({ address, port });
    if (port !== 0) await probeBind(address, port);
    this.refuseIfClosed(); // closed while the probe ran
    if (this.bound || this.phase.kind !== 'idle') throw new EngineError('EINVAL', 'the socket is already bound');
    this.bound = { address, port };
    return { ...this.bound };
  }

  async listen(backlog: number): Promise<void> {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind === 'listening') return; // Linux lets listen() be called again.
    if (p.kind !== 'idle') throw new EngineError('EINVAL', 'the socket is connected or busy');
    this.phase = { kind: 'opening' };
    let listener: TcpListener;
    try {
      listener = await TcpListener.open({
        // Never the wildcard, where the kernel would bind an unbound listener (see loopback()).
        host: this.bound?.address ?? loopback(this.family),
        port: this.bound?.port ?? 0,
        backlog,
        room: () => this.registry.roomForFd(),
      });
    } catch (err) {
      if (this.phase.kind === 'opening') this.phase = { kind: 'idle' };
      throw err;
    }
    // close() may have run while Node was opening the listener.
    if ((this.phase as Phase).kind === 'closed') {
      listener.close();
      throw cancelled();
    }
    this.phase = { kind: 'listening', listener };
    listener.onChange = (change) => {
      if (this.reads.busy) this.reads.wake();
      else if (change === 'connection') this.reporter.arrived({ change: 'connection-waiting' });
      else this.reportPendingError(listener.pendingError);
    };
  }

  async accept(wait: WaitOptions): Promise<AcceptResult> {
    this.reporter.readCalled();
    const conn = await this.reads.run(wait, () => this.acceptAttempt(), 'EAGAIN');
    this.reportLeftAfterRead();
    const socket = NodeTcpSocket.accepted(conn, this.family, this.registry);
    const peer = conn.remote;
    const local = conn.local;
    if (!peer || !local) {
      socket.close();
      throw new EngineError('ECONNABORTED', 'the connection ended before it was accepted');
    }
    return { socket, peer, local };
  }

  async connect(address: string, port: number, wait: WaitOptions): Promise<{ local: Endpoint }> {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind === 'listening' || p.kind === 'opening') throw new EngineError('EISCONN', 'a listening socket cannot connect');
    if (p.kind === 'connected') {
      if (!this.connectUnreported || !p.conn.local) throw new EngineError('EISCONN', 'the socket is already connected');
      this.connectUnreported = false;
      return { local: p.conn.local };
    }
    if (p.kind === 'connecting') {
      if (!wait.blocking) throw new EngineError('EALREADY', 'a connect() is still in progress');
      return this.connects.run(wait, () => this.connectAttempt(), 'EALREADY');
    }
    const failed = this.takePendingError();
    if (failed) throw new EngineError(failed);
    checkAddress(address, this.family);
    checkPort(port);
    let conn: TcpConnection;
    try {
      conn = TcpConnection.connect({ address, port, local: this.bound });
    } catch (err) {
      throw toEngineError(err);
    }
    this.phase = { kind: 'connecting', conn };
    conn.onChange = (change) => this.onConnectionChange(conn, change);
    if (!wait.blocking) throw new EngineError('EINPROGRESS', 'the handshake goes on in the background');
    return this.connects.run(wait, () => this.connectAttempt(), 'EINPROGRESS');
  }

  send(data: Buffer, wait: WaitOptions): Promise<number> {
    return this.writes.run(wait, () => this.sendAttempt(data), 'EAGAIN');
  }

  /** Linux ignores the address of a sendto() on a TCP socket. */
  sendto(data: Buffer, address: string, port: number, wait: WaitOptions): Promise<number> {
    void address;
    void port;
    return this.send(data, wait);
  }

  async recv(max: number, wait: WaitOptions): Promise<Buffer> {
    this.reporter.readCalled();
    const data = await this.reads.run(wait, () => this.recvAttempt(max), 'EAGAIN');
    this.reportLeftAfterRead();
    return data;
  }

  /** On TCP the sender is the connected peer. */
  async recvfrom(max: number, wait: WaitOptions): Promise<{ data: Buffer; from: Endpoint }> {
    const data = await this.recv(max, wait);
    const from = this.remoteAddress();
    if (!from) throw new EngineError('ENOTCONN');
    return { data, from };
  }

  async shutdown(how: ShutdownHow): Promise<void> {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind === 'listening' || p.kind === 'connecting' || p.kind === 'opening') {
      throw new EngineError('E_UNSUPPORTED', 'the fallback engine can shut down only a connected socket');
    }
    if (p.kind !== 'connected' || !p.conn.connected) throw new EngineError('ENOTCONN', 'the socket is not connected');
    if (how !== 'read') p.conn.shutdownWrite();
    if (how !== 'write') {
      p.conn.shutdownRead();
      this.reads.wake();
    }
  }

  close(): void {
    const p = this.phase;
    if (p.kind === 'closed') return;
    this.phase = { kind: 'closed' };
    this.reporter.stop();
    for (const slot of [this.reads, this.writes, this.connects]) slot.cancel();
    if (p.kind === 'listening') p.listener.close();
    if (p.kind === 'connecting' || p.kind === 'connected') p.conn.close();
    this.registry.delete(this);
  }

  localAddress(): Endpoint | null {
    const p = this.phase;
    if (p.kind === 'listening') return p.listener.local;
    if (p.kind === 'connected') return p.conn.local;
    if (p.kind === 'closed') return null;
    return this.bound ? { ...this.bound } : null;
  }

  remoteAddress(): Endpoint | null {
    return this.phase.kind === 'connected' ? this.phase.conn.remote : null;
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

  private adopt(conn: TcpConnection): void {
    this.phase = { kind: 'connected', conn };
    conn.onChange = (change) => this.onConnectionChange(conn, change);
  }

  private onConnectionChange(conn: TcpConnection, change: ConnectionChange): void {
    const p = this.phase;
    if ((p.kind !== 'connecting' && p.kind !== 'connected') || p.conn !== conn) return;
    if (p.kind === 'connecting') {
      if (change === 'connected') {
        if (!this.connects.busy) this.connectUnreported = true;
        this.phase = { kind: 'connected', conn };
      } else if (change === 'error') {
        // A failed connect leaves an unconnected socket; the kernel keeps the error for the next call.
        this.phase = { kind: 'idle' };
        this.pendingErrno = conn.takeError();
        conn.close();
        if (!this.connects.busy && !this.reads.busy && !this.writes.busy && this.pendingErrno) {
          this.reporter.happened({ change: 'error', errno: this.pendingErrno });
        }
      }
      this.connects.wake();
      this.reads.wake();
      this.writes.wake();
      return;
    }
    switch (change) {
      case 'readable':
        if (this.reads.busy) this.reads.wake();
        else if (conn.buffered > 0) this.reporter.arrived({ change: 'data-waiting', bytes: conn.buffered });
        break;
      case 'eof':
        if (this.reads.busy) this.reads.wake();
        else this.reporter.happened({ change: 'peer-closed' });
        break;
      case 'error': {
        const anyoneWaiting = this.reads.busy || this.writes.busy;
        this.reads.wake();
        this.writes.wake();
        if (!anyoneWaiting) this.reportPendingError(conn.pendingError);
        break;
      }
      case 'drain':
        this.writes.wake();
        break;
      case 'connected':
        break;
    }
  }

  private acceptAttempt(): TcpConnection | undefined {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind !== 'listening') throw new EngineError('EINVAL', 'accept() needs a listening socket: call listen() first');
    const conn = p.listener.take();
    if (conn) return conn;
    const errno = p.listener.takeError();
    if (errno) throw new EngineError(errno);
    return undefined;
  }

  private connectAttempt(): { local: Endpoint } | undefined {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind === 'connected') {
      this.connectUnreported = false;
      if (!p.conn.local) throw new EngineError('ECONNRESET');
      return { local: p.conn.local };
    }
    if (p.kind === 'connecting') return undefined;
    throw new EngineError(this.takePendingError() ?? 'ECONNABORTED');
  }

  private recvAttempt(max: number): Buffer | undefined {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind === 'connecting') return undefined;
    if (p.kind !== 'connected') throw new EngineError(this.takePendingError() ?? 'ENOTCONN', 'the socket is not connected');
    const data = p.conn.take(max);
    if (data) return data;
    const errno = p.conn.takeError();
    if (errno) throw new EngineError(errno);
    if (p.conn.atEnd) return Buffer.alloc(0);
    return undefined;
  }

  private sendAttempt(data: Buffer): number | undefined {
    this.refuseIfClosed();
    const p = this.phase;
    if (p.kind === 'connecting') return undefined;
    // Linux answers send() on a socket that was never connected with EPIPE, not ENOTCONN.
    if (p.kind !== 'connected') throw new EngineError(this.takePendingError() ?? 'EPIPE', 'the socket is not connected');
    const errno = p.conn.takeError();
    if (errno) throw new EngineError(errno);
    if (!p.conn.canWrite) throw new EngineError('EPIPE', 'this side can no longer send');
    if (p.conn.writeFull) return undefined;
    p.conn.write(data);
    return data.length;
  }

  /** After a read-side call, what is still waiting is news again (level, as poll() would see it). */
  private reportLeftAfterRead(): void {
    // setImmediate: the lab sends the call's own result before this report.
    setImmediate(() => {
      const p = this.phase;
      if (this.reads.busy) return;
      if (p.kind === 'listening' && p.listener.waiting > 0) this.reporter.arrived({ change: 'connection-waiting' });
      if (p.kind === 'connected' && p.conn.buffered > 0) {
        this.reporter.arrived({ change: 'data-waiting', bytes: p.conn.buffered });
      }
    });
  }

  private reportPendingError(errno: string | null): void {
    if (errno) this.reporter.happened({ change: 'error', errno });
  }

  private takePendingError(): string | null {
    const errno = this.pendingErrno;
    this.pendingErrno = null;
    return errno;
  }

  /**
   * The kernel refuses a bind() to a port another socket already holds. Without a kernel socket the
   * fallback can check only its own sockets; other programs' ports show up at listen() instead.
   */
  private refuseIfHeld(wanted: Endpoint): void {
    for (const other of this.registry.all()) {
      if (other === this || other.type !== 'tcp') continue;
      const held = other.localAddress();
      if (held && endpointsOverlap(held, wanted)) {
        throw new EngineError('EADDRINUSE', `another socket holds ${wanted.address} port ${wanted.port}`);
      }
    }
  }

  private refuseIfClosed(): void {
    if (this.phase.kind === 'closed') throw new EngineError('EBADF', 'the socket is closed');
  }
}
