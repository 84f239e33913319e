/**
 * Ready means ready: the server listens before the class exists (the students' link carries the
 * port it got), so until every endpoint is up each request is answered 503 (with Retry-After) and
 * each WebSocket upgrade refused with 503, instead of reaching a route that is not there yet.
 * GET /readyz says which: 200 and {"ready":true,...} when all are up, 503 otherwise (also once the
 * server is stopping), for a reverse proxy's health check or a supervisor.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';

export const READYZ_PATH = '/readyz';

export type Endpoint = 'site' | 'lab' | 'class';

export class Readiness {
  private readonly waiting = new Set<Endpoint>();
  private stopping = false;

  /** `endpoints`: what must be up before the server is ready. */
  constructor(endpoints: Endpoint[]) {
    for (const e of endpoints) this.waiting.add(e);
  }

  up(endpoint: Endpoint): void {
    this.waiting.delete(endpoint);
  }

  /** The server is stopping: not ready any more, so a proxy stops sending learners here. */
  stop(): void {
    this.stopping = true;
  }

  get ready(): boolean {
    return this.waiting.size === 0 && !this.stopping;
  }

  private body(): string {
    return `${JSON.stringify({ ready: this.ready, stopping: this.stopping, waitingFor: [...this.waiting] })}\n`;
  }

  /** Answers /readyz, and every request while not ready; false when the request is the routes' to answer. */
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const isReadyz = new URL(req.url ?? '/', 'http://x').pathname === READYZ_PATH;
    if (!isReadyz && this.ready) return false;
    const status = this.ready ? 200 : 503;
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (!this.ready) headers['retry-after'] = '1';
    res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : this.body());
    return true;
  }

  /** Refuses an upgrade while not ready (503); false when the server is ready to take it. */
  refuseUpgrade(socket: Duplex): boolean {
    if (this.ready) return false;
    const body = this.body();
    socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return true;
  }
}
