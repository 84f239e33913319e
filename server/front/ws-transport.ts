/**
 * The TCP socket under a `ws` WebSocket. ws 8 keeps it in the private field `_socket` and offers no
 * public accessor; the lab needs it to write a lab worker's ready-made frames (server/lab/out-batch.ts)
 * with one `write` per connection and turn, instead of a `send` (encode, frame, two writes) per
 * message. This is the one place that reaches for it: if a future ws moves the field, `transportOf`
 * returns null and the frames go out through `send` instead (tests/unit/ws-transport.test.ts notices first).
 */
import { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { frameTexts } from '../lab/out-batch.ts';

export function transportOf(ws: WebSocket): Socket | null {
  const candidate: unknown = Reflect.get(ws, '_socket');
  return candidate instanceof Socket ? candidate : null;
}

/**
 * Writes complete, unmasked WebSocket frames to an open connection, bypassing ws's sender. Safe
 * because ws writes each frame of its own (pings, the close frame) whole, in order, on the same socket,
 * and its sender only queues with compression (off on the lab's server) or Blob sends (none).
 */
export function writeFrames(ws: WebSocket, frames: Buffer): void {
  const transport = transportOf(ws);
  if (transport) transport.write(frames);
  else for (const text of frameTexts(frames)) ws.send(text);
}
