/**
 * The kernel's side of Node's sockets: the fd under a libuv handle and its inode, so the kernel
 * view (/proc/net/*, joined by inode) can find sockets the fallback opened. Node keeps these
 * behind private fields; on Windows `fd` is -1, which reads as "unknown".
 */
import fs from 'node:fs';
import type dgram from 'node:dgram';
import type { Readable } from 'node:stream';

/** One field of an object Node keeps private, read as `unknown` (so the caller must check what it got). */
function privateField(owner: unknown, key: PropertyKey): unknown {
  return typeof owner === 'object' && owner !== null ? Reflect.get(owner, key) : undefined;
}

export function fdOf(handle: unknown): number | null {
  const fd = privateField(handle, 'fd');
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

export function inodeOf(fd: number | null): number | null {
  if (fd === null) return null;
  try {
    return fs.fstatSync(fd).ino;
  } catch {
    return null;
  }
}

/** A dgram socket keeps its handle under a private symbol rather than `_handle`. */
export function dgramHandle(socket: dgram.Socket): unknown {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  if (!key) return null;
  return privateField(privateField(socket, key), 'handle') ?? null;
}

export function streamHandle(owner: unknown): unknown {
  return privateField(owner, '_handle') ?? null;
}

/**
 * The stream has taken the end of its input (a socket: the peer's FIN), though it may still hold
 * unread bytes. No public property says so in time: `readableEnded` turns true only once 'end' is
 * emitted, a tick after the last byte is read, and `readable` likewise. Node 20 keeps this in
 * `_readableState.ended` (set by push(null)); its own stream utilities read the same field.
 */
export function readableHasEnded(stream: Readable): boolean {
  return privateField(privateField(stream, '_readableState'), 'ended') === true;
}
