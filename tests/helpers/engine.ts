/**
 * Helpers for tests that drive an engine directly (no WebSocket): wait options that count
 * onBlocked, error checks, a recorder of watch() reports, listeners and connected pairs on
 * loopback (port 0), and the kernel's own table (/proc/net) to check what the kernel did.
 */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from '../../server/protocol/index.ts';
import { EngineError, type Engine, type EngineSocket, type Family, type SocketChange, type WaitOptions } from '../../server/engines/types.ts';
import { readKernelTable, type RawKernelRow } from '../../server/kernel/procnet.ts';

export const LO: Record<Family, string> = { 4: '127.0.0.1', 6: '::1' };

export interface Wait extends WaitOptions {
  blockedCount: () => number;
  abort: () => void;
}

/** Wait options that count onBlocked calls and can be aborted. */
export function wait(blocking = true): Wait {
  const controller = new AbortController();
  let blocked = 0;
  return {
    blocking,
    signal: controller.signal,
    onBlocked: () => {
      blocked += 1;
    },
    blockedCount: () => blocked,
    abort: () => controller.abort(),
  };
}
export const nb = () => wait(false);
export const bl = () => wait(true);

/** Asserts `p` rejects with an EngineError whose code is one of `codes`; returns the code. */
export async function rejectsWith(p: Promise<unknown>, ...codes: string[]): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, `expected an EngineError, got ${String(err)}`);
    assert.ok(codes.includes(err.code), `expected ${codes.join(' or ')}, got ${err.code}: ${err.message}`);
    return err.code;
  }
  assert.fail(`expected ${codes.join(' or ')}, but the call succeeded`);
}

/** Resolves when `p` settles, or with 'pending' if it has not after `ms`. */
export async function stateAfter(p: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  const settled = p.then(
    () => 'resolved' as const,
    () => 'rejected' as const,
  );
  return Promise.race([settled, sleep(ms).then(() => 'pending' as const)]);
}

export async function eventually<V>(what: string, probe: () => Promise<V | undefined> | V | undefined, ms = 3000): Promise<V> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Every change a socket reports, and a way to wait for the first one that matches. */
export function record(socket: EngineSocket) {
  const seen: SocketChange[] = [];
  const waiters: { match: (c: SocketChange) => boolean; resolve: (c: SocketChange) => void }[] = [];
  socket.watch((c) => {
    seen.push(c);
    for (const w of waiters.splice(0)) {
      if (w.match(c)) w.resolve(c);
      else waiters.push(w);
    }
  });
  return {
    seen,
    next(match: (c: SocketChange) => boolean, ms = 3000): Promise<SocketChange> {
      const already = seen.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching change after ${ms} ms; saw ${JSON.stringify(seen)}`)), ms);
        waiters.push({
          match,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
  };
}

export async function rowByInode(inode: number | null): Promise<RawKernelRow | undefined> {
  assert.ok(inode, 'socket has an inode');
  return (await readKernelTable()).find((r) => r.inode === inode);
}

const sameEndpoint = (a: Endpoint, b: Endpoint) => a.address === b.address && a.port === b.port;

export async function rowByTuple(local: Endpoint, remote: Endpoint): Promise<RawKernelRow | undefined> {
  return (await readKernelTable()).find((r) => sameEndpoint(r.local, local) && sameEndpoint(r.remote, remote));
}

/** A port nobody listens on (the kernel just handed it out and took it back). */
export async function closedPort(host = LO[4]): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** What each open fd is, for the message when the count is off. */
export function fdList(): string {
  const label = (fd: string) => {
    try {
      return `${fd}=${readlinkSync(`/proc/self/fd/${fd}`)}`;
    } catch {
      return fd;
    }
  };
  return readdirSync('/proc/self/fd').map(label).join(' ');
}

/** Listeners and connected pairs made by one engine. */
export function sockets(engine: () => Engine) {
  /** A listening TCP socket on a free loopback port. */
  async function listener(family: Family = 4, backlog = 8): Promise<{ server: EngineSocket; port: number; address: string }> {
    const address = LO[family];
    const server = engine().socket('tcp', family);
    await server.bind(address, 0);
    await server.listen(backlog);
    const local = server.localAddress();
    assert.ok(local && local.port > 0, 'listening on a port the kernel picked');
    return { server, port: local.port, address };
  }

  /** A connected pair of engine sockets: client → accepted. */
  async function pair(family: Family = 4) {
    const { server, port, address } = await listener(family);
    const client = engine().socket('tcp', family);
    const [connected, accepted] = await Promise.all([client.connect(address, port, wait()), server.accept(wait())]);
    return { server, port, client, accepted: accepted.socket, peer: accepted.peer, clientLocal: connected.local };
  }

  return { listener, pair };
}
