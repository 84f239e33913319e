/**
 * The kernel's side of Node's sockets: the fd under a libuv handle and its inode, so the kernel
 * view (/proc/net/*, joined by inode) can find sockets the fallback opened. Node keeps these
 * behind private fields; on Windows `fd` is -1, which reads as "unknown".
 */
import fs from 'node:fs';
import type dgram from 'node:dgram';

export function fdOf(handle: unknown): number | null {
  const fd = (handle as { fd?: unknown } | null | undefined)?.fd;
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
  return (socket as unknown as Record<symbol, { handle?: unknown } | undefined>)[key]?.handle ?? null;
}

export function streamHandle(owner: unknown): unknown {
  return (owner as { _handle?: unknown } | null)?._handle ?? null;
}
