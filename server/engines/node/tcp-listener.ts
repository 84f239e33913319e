/**
 * A listening TCP socket in Node: net.Server does bind()+listen() in one call and accepts every
 * connection as soon as it arrives. pauseOnConnect keeps each accepted connection unread, and the
 * connections wait here, in arrival order, until the learner's accept() takes one, so the learner
 * still sees "a queue of connections waiting to be accepted", only held by the lab, not the kernel.
 */
import net from 'node:net';
import type { Endpoint } from '../../protocol/index.ts';
import { endpoint } from './addresses.ts';
import { errnoOf, toEngineError } from './errors.ts';
import { fdOf, streamHandle } from './handles.ts';
import { TcpConnection } from './tcp-connection.ts';

export interface ListenAt {
  host: string;
  port: number;
  backlog: number;
  /** Whether the engine may hold one more fd; a connection beyond it is reset at once. */
  room: () => boolean;
}

/**
 * Node accepts every connection at once, each an fd of this process, where the kernel would leave
 * them in its accept queue (no fd) up to the backlog. So waiting connections are capped: beyond
 * this many (the lab's largest backlog), or beyond the engine's fd budget, a new one is reset.
 */
export const MAX_WAITING = 128;

export class TcpListener {
  /** 'connection' and 'error' both mean: an accept() may now have an answer. */
  onChange: (change: 'connection' | 'error') => void = () => {};

  private readonly queue: TcpConnection[] = [];
  private errno: string | null = null;
  private closed = false;
  private readonly localEnd: Endpoint | null;

  private constructor(
    private readonly server: net.Server,
    room: () => boolean,
  ) {
    const address = server.address();
    this.localEnd = address && typeof address === 'object' ? endpoint(address.address, address.port) : null;
    server.on('connection', (sock) => {
      // The connection's own 'error' listener is attached inside TcpConnection, before any await.
      const conn = TcpConnection.accepted(sock);
      if (this.closed || this.queue.length >= MAX_WAITING || !room()) {
        conn.reset();
        return;
      }
      this.queue.push(conn);
      this.onChange('connection');
    });
  }

  static open(at: ListenAt): Promise<TcpListener> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
      let listening = false;
      // One permanent listener: before 'listening' it fails listen(), after it errors come from accept(2).
      server.on('error', (err) => {
        if (!listening) {
          reject(toEngineError(err));
          return;
        }
        listener?.failed(errnoOf(err));
      });
      let listener: TcpListener | null = null;
      server.once('listening', () => {
        listening = true;
        listener = new TcpListener(server, at.room);
        resolve(listener);
      });
      try {
        // exclusive: never share the port with cluster workers; a learner's port is theirs alone.
        server.listen({ host: at.host, port: at.port, backlog: Math.max(1, at.backlog), exclusive: true });
      } catch (err) {
        reject(toEngineError(err));
      }
    });
  }

  get fd(): number | null {
    return this.closed ? null : fdOf(streamHandle(this.server));
  }

  get local(): Endpoint | null {
    return this.localEnd;
  }

  get waiting(): number {
    return this.queue.length;
  }

  take(): TcpConnection | undefined {
    return this.queue.shift();
  }

  get pendingError(): string | null {
    return this.errno;
  }

  takeError(): string | null {
    const errno = this.errno;
    this.errno = null;
    return errno;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onChange = () => {};
    for (const conn of this.queue.splice(0)) conn.reset();
    this.server.close();
  }

  private failed(errno: string): void {
    this.errno = errno;
    this.onChange('error');
  }
}
