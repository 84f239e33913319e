/**
 * Lesson 12's web server: a real HTTP/1.1 server (node:http's parser and response writer) as a
 * program on the lab's seam (server/lab/program.ts). Its accept(), recv(), send(), shutdown() and
 * close() are lab calls with step events, so the learner sees the server's every call beside the
 * browser's, and the packets they caused; node:http is handed each accepted connection as a stream
 * (lab-connection.ts) and never an fd.
 *
 * Bounded, as a server facing any peer must be: a cap on open connections (the backlog holds the
 * rest), on a request head (431), on the bytes one connection may send, on requests per connection,
 * on idle time (408 before a request is complete, else closed) and on a connection's life.
 * Unparsable requests get 400, as node:http's own server does.
 */
import http from 'node:http';
import type { LabProgram, ProgramHost, RunningProgram } from '../lab/program.ts';
import type { ArgsOf } from '../protocol/index.ts';
import { LabConnection } from './lab-connection.ts';
import { answer } from './site.ts';

export interface HttpOptions {
  /** Connections served at once; the listener's backlog holds the next ones. */
  maxConnections: number;
  /** The largest request head (request line and headers), in bytes: beyond it, 431. */
  maxHeaderBytes: number;
  /** Bytes one connection may send over its life (heads, bodies, pipelined requests). */
  maxBytesIn: number;
  maxRequestsPerConnection: number;
  /** A connection silent this long is answered 408 (mid-request) or closed. */
  idleSeconds: number;
  /** A connection open this long is closed, however busy. */
  maxLifeSeconds: number;
}

export const DEFAULT_HTTP_OPTIONS: HttpOptions = {
  maxConnections: 8,
  maxHeaderBytes: 8 * 1024,
  maxBytesIn: 64 * 1024,
  maxRequestsPerConnection: 100,
  idleSeconds: 30,
  maxLifeSeconds: 120,
};

/** The fixed answers to requests node:http could not parse (its own server's words). */
const REFUSALS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function refusal(status: number): string {
  return `HTTP/1.1 ${status} ${REFUSALS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

/** `maxClients`: the connections beyond the learner's own socket cap the server may hold. */
export function httpProgram(options: Partial<HttpOptions> = {}): LabProgram {
  const base = { ...DEFAULT_HTTP_OPTIONS, ...options };
  return {
    maxClients: base.maxConnections,
    start: (host, args) => new HttpProgram(host, httpOptions(base, args)),
  };
}

export function httpOptions(base: HttpOptions, args: ArgsOf<'run'>): HttpOptions {
  return { ...base, idleSeconds: args.idleSeconds ?? base.idleSeconds };
}

interface Served {
  conn: LabConnection;
  lastHeard: number;
  opened: number;
  /** A request has begun arriving and no response to it has started. */
  midRequest: boolean;
}

export class HttpProgram implements RunningProgram {
  private readonly server: http.Server;
  private readonly open = new Set<Served>();
  private running = true;
  private readonly sweep: NodeJS.Timeout;
  private slotFreed: (() => void) | null = null;

  constructor(
    private readonly host: ProgramHost,
    readonly options: HttpOptions,
  ) {
    this.server = http.createServer({ maxHeaderSize: options.maxHeaderBytes, requireHostHeader: false }, (req, res) => {
      const served = this.servedBy(req.socket);
      if (served) served.midRequest = false;
      const conn = req.socket as unknown as LabConnection;
      const { status, body, headers } = answer(req, { address: conn.remoteAddress, port: conn.remotePort }, { address: conn.localAddress, port: conn.localPort });
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      this.log(conn, req.method ?? '', req.url ?? '', status);
      // A request body is read and dropped by node:http (bounded by maxBytesIn).
    });
    this.server.maxRequestsPerSocket = options.maxRequestsPerConnection;
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => this.clientError(error, socket as unknown as LabConnection));
    this.sweep = setInterval(() => this.dropSilent(), Math.min(1000, options.idleSeconds * 250));
    this.sweep.unref();
    void this.acceptLoop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private servedBy(socket: unknown): Served | undefined {
    for (const s of this.open) if (s.conn === socket) return s;
    return undefined;
  }

  private async acceptLoop(): Promise<void> {
    while (this.running) {
      if (this.open.size >= this.options.maxConnections) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      const r = await this.host.call('accept', { sock: this.host.listener });
      if (!r.ok) {
        if (r.error.code === 'E_LIMIT' || r.error.code === 'EMFILE' || r.error.code === 'ENFILE') {
          await new Promise((res) => setTimeout(res, 200)); // full: try again once a connection ends
          continue;
        }
        break; // the listener was closed (E_CANCELLED, E_NO_SOCKET) or the session ended
      }
      if (!this.running) {
        void this.host.call('close', { sock: r.result.sock });
        break;
      }
      this.serve(r.result.sock, r.result.peer, r.result.local);
    }
    this.stop();
  }

  private serve(handle: string, peer: { address: string; port: number }, local: { address: string; port: number }): void {
    const now = Date.now();
    const served: Served = { conn: null as unknown as LabConnection, lastHeard: now, opened: now, midRequest: false };
    served.conn = new LabConnection(this.host, handle, peer, local, this.options.maxBytesIn, () => {
      served.lastHeard = Date.now();
    });
    // Bytes in with no response started: a request is under way (for the 408 on silence).
    served.conn.on('data', () => {
      if (!served.conn.writableEnded) served.midRequest = true;
    });
    served.conn.on('close', () => {
      this.open.delete(served);
      this.slotFreed?.();
      this.slotFreed = null;
    });
    this.open.add(served);
    this.host.report({ kind: 'joined', sock: handle });
    this.server.emit('connection', served.conn);
  }

  /**
   * What node:http could not parse or finish: the status its own server would send (431 for a head
   * over maxHeaderBytes, 400 otherwise), then the connection ends; a peer that is gone is just closed.
   */
  private clientError(error: NodeJS.ErrnoException, conn: LabConnection): void {
    if (conn.writableEnded) return; // answered already: the drain closes it
    const parserError = typeof error.code === 'string' && error.code.startsWith('HPE_');
    if (!parserError || conn.destroyed || !conn.writable) {
      conn.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    conn.end(refusal(status));
    this.log(conn, '', '', status);
  }

  private log(conn: LabConnection, method: string, target: string, status: number): void {
    this.host.report({ kind: 'request', sock: conn.handle, http: { peer: { address: conn.remoteAddress, port: conn.remotePort }, method, target: target.slice(0, 200), status } });
  }

  private dropSilent(): void {
    const now = Date.now();
    for (const s of this.open) {
      if (now - s.opened > this.options.maxLifeSeconds * 1000) s.conn.destroy();
      else if (now - s.lastHeard > this.options.idleSeconds * 1000) {
        if (s.midRequest && s.conn.writable && !s.conn.writableEnded) {
          s.lastHeard = now; // one 408, then the drain's own limit closes it
          s.conn.end(refusal(408));
          this.log(s.conn, '', '', 408);
        } else s.conn.destroy();
      }
    }
  }

  /** Stops accepting and closes every connection. Idempotent. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.sweep);
    this.slotFreed?.();
    for (const s of [...this.open]) s.conn.destroy();
    void this.host.call('close', { sock: this.host.listener });
    this.host.report({ kind: 'stopped' });
  }
}
