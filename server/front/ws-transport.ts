/**
 * The TCP socket under a `ws` WebSocket. ws 8 keeps it in the private field `_socket` and offers no
 * public accessor; the lab needs it only to cork a step event and its reply into one write. This is
 * the one place that reaches for it: if a future ws moves the field, `transportOf` returns null and
 * the writes simply go out separately (tests/unit/ws-transport.test.ts notices first).
 */
import { Socket } from 'node:net';
import type { WebSocket } from 'ws';

export function transportOf(ws: WebSocket): Socket | null {
  const candidate: unknown = Reflect.get(ws, '_socket');
  return candidate instanceof Socket ? candidate : null;
}

/** Holds a WebSocket's writes from `hold()` until `release()`, so they leave in one segment. */
export class WriteBatch {
  private readonly transport: Socket | null;
  private held = false;

  constructor(ws: WebSocket) {
    this.transport = transportOf(ws);
  }

  hold(): void {
    if (this.held || !this.transport) return;
    this.held = true;
    this.transport.cork();
  }

  release(): void {
    if (!this.held || !this.transport) return;
    this.held = false;
    this.transport.uncork();
  }
}
