/**
 * What lesson 12's web server serves: one small plain-text page that tells the browser what the
 * server saw (its peer's address and port, so the router's NAT shows in the body too), for GET and
 * HEAD of any path; other methods get 405. The answer is computed from the request, never scripted.
 */
import type { IncomingMessage } from 'node:http';
import type { Endpoint } from '../protocol/index.ts';

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export function answer(req: IncomingMessage, peer: Endpoint, local: Endpoint): Answer {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, body: `${req.method} is not served here: only GET and HEAD.\n`, headers: { Allow: 'GET, HEAD' } };
  }
  const path = (req.url ?? '/').slice(0, 200);
  return {
    status: 200,
    body: `hello from ${local.address}:${local.port}: you are ${peer.address}:${peer.port} and asked for ${path}\n`,
    headers: {},
  };
}
