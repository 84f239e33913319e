/**
 * What the sandbox tests share: wait options for the engine's calls (bounded, so no test can hang
 * on a call the sandbox never finishes), a connection made through the engine, and counts of what
 * a process holds open, read from /proc (the kernel's view, not our bookkeeping).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { EngineSocket, Family, WaitOptions } from '../../server/engines/types.ts';
import type { HostName, SandboxNetwork } from '../../server/sandbox/index.ts';

/** Blocking wait options that give up (E_CANCELLED) after `ms`. */
export function bounded(ms = 10_000): WaitOptions {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms).unref();
  return { blocking: true, signal: controller.signal, onBlocked: () => {} };
}

/** The error code a promise rejects with (it must reject). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  assert.fail('expected the call to fail');
}

export interface Listener {
  socket: EngineSocket;
  close(): void;
}

/** A TCP listener on a sandbox host. */
export async function listen(net: SandboxNetwork, host: HostName, address: string, port: number, family: Family = 4): Promise<Listener> {
  const socket = await net.socket(host, 'tcp', family);
  await socket.bind(address, port);
  await socket.listen(8);
  return { socket, close: () => socket.close() };
}

/** Connects from `host`, accepts on `listener`, and sends a line each way; returns what each end saw. */
export async function converse(net: SandboxNetwork, host: HostName, listener: Listener, address: string, port: number) {
  const client = await net.socket(host, 'tcp', address.includes(':') ? 6 : 4);
  try {
    const accepting = listener.socket.accept(bounded());
    const { local } = await client.connect(address, port, bounded());
    const accepted = await accepting;
    try {
      await client.send(Buffer.from('ping from client\n'), bounded());
      const atServer = await accepted.socket.recv(100, bounded());
      await accepted.socket.send(Buffer.from('pong from server\n'), bounded());
      const atClient = await client.recv(100, bounded());
      return { clientLocal: local, serverSawPeer: accepted.peer, serverLocal: accepted.local, atServer: atServer.toString(), atClient: atClient.toString() };
    } finally {
      accepted.socket.close();
    }
  } finally {
    client.close();
  }
}

export function fdCount(pid: number | 'self' = 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Network namespaces the process holds through its fds (what `net:[...]` links it has). */
export function netnsFds(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return link.startsWith('net:[') ? [link] : [];
    } catch {
      return [];
    }
  });
}

/** Live child processes of `pid` (from each process's stat line). */
export function childPids(pid = process.pid): number[] {
  return readdirSync('/proc').flatMap((name) => {
    if (!/^\d+$/.test(name)) return [];
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === pid ? [Number(name)] : [];
    } catch {
      return [];
    }
  });
}

/** Whether a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Every process on the machine that holds one of these namespaces (as an fd, or by living in it),
 * as `pid:net:[inode]`, except the live sandbox helpers of other servers and their children.
 *
 * Why the exception: the kernel reuses a freed namespace's inode number for the next namespace it
 * makes, and other test files create namespaces in parallel, so `net:[4026532001]` may name a new
 * namespace of another, living helper a moment after ours was freed. A process left over from a
 * dead server cannot pass for one: its helper is dead, so it was reparented away from any helper.
 */
export function holdersOf(namespaces: ReadonlySet<string>): string[] {
  return rawHoldersOf(namespaces).filter((entry) => !underLiveHelper(Number(entry.split(':')[0])));
}

/** True when `pid` is a live sandbox helper, or one of its descendants. */
function underLiveHelper(pid: number): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    try {
      if (/sandbox\/helper\/main\.ts\0.*"serverPid":/s.test(readFileSync(`/proc/${p}/cmdline`, 'latin1')) && alive(p)) return true;
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

function rawHoldersOf(namespaces: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const links: string[] = [];
    try {
      for (const fd of readdirSync(`/proc/${name}/fd`)) {
        try {
          links.push(readlinkSync(`/proc/${name}/fd/${fd}`));
        } catch {
          // closed meanwhile
        }
      }
      for (const task of readdirSync(`/proc/${name}/task`)) {
        try {
          links.push(readlinkSync(`/proc/${name}/task/${task}/ns/net`));
        } catch {
          // gone meanwhile
        }
      }
    } catch {
      continue; // gone, or not ours to read
    }
    for (const link of links) if (namespaces.has(link)) found.push(`${name}:${link}`);
  }
  return found;
}

/** Polls until `probe` returns true, up to `ms`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
