/**
 * Which part of the server answers each request on the one port: /readyz, and 503 for everything
 * until every endpoint is up (readiness.ts); then the class's CSV summary, else the site; upgrades to /lab and /class go through the admission check (upgrade-guard.ts) to their
 * hubs, and any other upgrade to Next in dev mode (hot reload) or nowhere.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { rememberClient, type TrustedProxies } from './client-address.ts';
import type { Readiness } from './readiness.ts';
import type { Site } from './site.ts';
import type { UpgradeGuard } from './upgrade-guard.ts';

/** An endpoint that takes WebSocket upgrades the guard admitted. */
export interface UpgradeTarget {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface Routes {
  site: Site;
  guard: UpgradeGuard;
  lab: UpgradeTarget;
  /** The class, once it is running (it starts after the server listens, so it is asked each time). */
  classroom: () => (UpgradeTarget & { handleHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean }) | null;
  /** Dev mode: Next's hot reload gets the upgrades that are not ours. */
  dev: boolean;
  readiness: Readiness;
  /** Proxies whose X-Forwarded-For names the client (--trust-proxy), for the per-address limits. */
  proxies: TrustedProxies;
}

export function createFrontServer(routes: Routes): http.Server {
  const server = http.createServer((req, res) => {
    if (routes.readiness.handleRequest(req, res)) return;
    if (routes.classroom()?.handleHttp(req, res)) return;
    routes.site.handle(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (routes.readiness.refuseUpgrade(socket)) return;
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const classroom = routes.classroom();
    if (pathname === '/lab' || (pathname === '/class' && classroom)) {
      rememberClient(req, routes.proxies.clientOf(req));
      // One admission check for /lab and /class: this server's own hosts and origins, not a lab
      // socket (asked of the lab workers, so it may finish in a later turn).
      void routes.guard.admit(req, socket).then((admitted) => {
        if (!admitted || socket.destroyed) return;
        if (pathname === '/lab') routes.lab.handleUpgrade(req, socket, head);
        else classroom!.handleUpgrade(req, socket, head);
      });
    } else if (routes.dev) routes.site.upgrades.emit('upgrade', req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}
