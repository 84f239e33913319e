/**
 * The Next.js site as a request handler, or, with --lab-only, a one-line 404 for every page.
 * Next attaches its own upgrade listener (dev hot reload) to the server it is given; it is given
 * one that never listens, so /lab and /class upgrades never reach it (routes.ts forwards the rest).
 */
import http from 'node:http';
import type { Config } from '../config.ts';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Site {
  handle: RequestHandler;
  /** Where upgrades that are not the lab's or the class's go (Next's hot reload, in dev mode). */
  upgrades: http.Server;
}

const labOnly: RequestHandler = (_req, res) => {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('Socket Lab is running with --lab-only: only /lab is served.\n');
};

/** `root`: the project folder Next builds and serves from. */
export async function createSite(config: Config, root: string): Promise<Site> {
  const upgrades = http.createServer();
  if (config.labOnly) return { handle: labOnly, upgrades };
  const { default: next } = await import('next');
  const app = next({
    dev: config.dev,
    dir: root,
    hostname: config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host,
    port: config.port,
    httpServer: upgrades,
    quiet: config.quiet,
  });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  return { handle: (req, res) => void nextHandler(req, res), upgrades };
}
