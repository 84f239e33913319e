/**
 * What the student and instructor connections share: the check of every message from the server
 * against the protocol, sending only on an open socket, and the wiring of a fresh socket.
 */
import { ClassServerMessageSchema, type ClassClientMessage, type ClassServerMessage } from '@/server/protocol/class';
import type { OpenSocket, SocketLike } from '../socket';

export const OPEN = 1;

/** A message from the server, or null when it is not JSON or does not match the protocol. */
export function parseServerMessage(data: unknown): ClassServerMessage | null {
  if (typeof data !== 'string') return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = ClassServerMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export function sendMessage(ws: SocketLike | null, msg: ClassClientMessage): boolean {
  if (!ws || ws.readyState !== OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
}

/**
 * Opens a class socket and wires it: validated messages go to `onMessage`, and `onClose` runs once
 * when it closes, unless `isCurrent` says it was let go of on purpose. Returns null when the socket
 * could not even be created (then `onClose` has already run).
 */
export function openSocketLike(
  create: OpenSocket,
  url: string,
  handlers: { isCurrent: (ws: SocketLike) => boolean; onMessage: (msg: ClassServerMessage) => void; onClose: () => void },
): SocketLike | null {
  let ws: SocketLike;
  try {
    ws = create(url);
  } catch {
    handlers.onClose();
    return null;
  }
  // A failed connection reports an error and then closes; the close is where we act.
  ws.addEventListener('error', () => {});
  ws.addEventListener('message', (ev) => {
    if (!handlers.isCurrent(ws)) return;
    const msg = parseServerMessage(ev.data);
    if (msg) handlers.onMessage(msg);
  });
  ws.addEventListener('close', () => {
    if (handlers.isCurrent(ws)) handlers.onClose();
  });
  return ws;
}
