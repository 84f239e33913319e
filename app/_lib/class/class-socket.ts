/**
 * What the student and instructor connections share: the /class WebSocket URL, the check of every
 * message from the server against the protocol, and the reconnect delay.
 */
import { ClassServerMessageSchema, type ClassClientMessage, type ClassServerMessage } from '@/server/protocol/class';

/** The subset of the WebSocket API used here (the browser's WebSocket and `ws` both have it). */
export interface ClassSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: { data?: unknown; code?: number; reason?: string }) => void): void;
}

export const OPEN = 1;

export function classSocketUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/class`;
}

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

export function sendMessage(ws: ClassSocket | null, msg: ClassClientMessage): boolean {
  if (!ws || ws.readyState !== OPEN) return false;
  ws.send(JSON.stringify(msg));
  return true;
}

/**
 * Opens a class socket and wires it: validated messages go to `onMessage`, and `onClose` runs once
 * when it closes, unless `isCurrent` says it was let go of on purpose. Returns null when the socket
 * could not even be created (then `onClose` has already run).
 */
export function openClassSocket(
  create: (url: string) => ClassSocket,
  url: string,
  handlers: { isCurrent: (ws: ClassSocket) => boolean; onMessage: (msg: ClassServerMessage) => void; onClose: () => void },
): ClassSocket | null {
  let ws: ClassSocket;
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
