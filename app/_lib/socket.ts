/**
 * The browser's one way to a WebSocket on the companion server: the lab (/lab) and the class
 * (/class) both open theirs here and use it through one interface.
 *
 * That interface is `SocketLike` from the protocol's client (server/protocol/client.ts): `LabClient`
 * is written against it there, and the protocol may not import from app/, so app/ re-exports it
 * instead of declaring a second copy. The browser's WebSocket fits it, and so does `ws` in Node, which
 * is how the unit tests drive the class connections against a real server on loopback.
 */
import type { SocketLike } from '@/server/protocol/client';

export type { SocketLike };

/** The server's WebSocket endpoints. */
export type SocketPath = '/lab' | '/class';

/** How the connections open a socket (a test hands in one made with `ws`). */
export type OpenSocket = (url: string) => SocketLike;

/** `path` on the server that served this page, over wss: when the page came over https:. */
export function socketUrl(path: SocketPath, query?: Record<string, string>): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const pairs = Object.entries(query ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return `${proto}//${location.host}${path}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

export const openSocket: OpenSocket = (url) => new WebSocket(url);
