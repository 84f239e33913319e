/**
 * The kernel's own view of one process's sockets, for tests that must not trust the lab's
 * bookkeeping: /proc/<pid>/fd gives the socket inodes the process holds, /proc/<pid>/net/{tcp,tcp6,
 * udp,udp6} gives where each is bound and connected. Written independently of server/kernel/ on
 * purpose: the oracle does not share code with what it checks.
 *
 * `labSocketViolations` states the lab's promise (docs/protocol.md, Policy): no socket the server
 * holds is bound to a wildcard or to an address outside the policy, and none that a stranger could
 * reach (a listener, an unconnected UDP socket) sits outside the lab's port range.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import ipaddr from 'ipaddr.js';

export type Proto = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface KernelSocket {
  proto: Proto;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  /** The kernel's state number in hex, as /proc prints it: 0A is LISTEN, 07 is CLOSE (unconnected UDP). */
  state: string;
  inode: number;
}

const LISTEN = '0A';

/** /proc prints each 32-bit word of an address in host byte order (little-endian here). */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  return ipaddr.fromByteArray(bytes).toString();
}

function parseEndpoint(text: string): { address: string; port: number } {
  const [addr, port] = text.split(':');
  return { address: decodeAddress(addr), port: parseInt(port, 16) };
}

export function readProcNet(pid: number | 'self' = 'self'): KernelSocket[] {
  const rows: KernelSocket[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${proto}`, 'utf8');
    } catch {
      continue; // no IPv6 on this machine
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      rows.push({ proto, local: parseEndpoint(f[1]), remote: parseEndpoint(f[2]), state: f[3], inode: Number(f[9]) });
    }
  }
  return rows;
}

/** Socket inodes the process holds open right now. */
export function socketInodes(pid: number | 'self' = 'self'): Set<number> {
  const inodes = new Set<number>();
  const dir = `/proc/${pid}/fd`;
  for (const fd of readdirSync(dir)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${dir}/${fd}`));
      if (m) inodes.add(Number(m[1]));
    } catch {
      // closed between readdir and readlink
    }
  }
  return inodes;
}

/** The process's own sockets as the kernel lists them (sockets in no table, e.g. bound-only TCP, are absent). */
export function processSockets(pid: number | 'self' = 'self'): KernelSocket[] {
  const mine = socketInodes(pid);
  return readProcNet(pid).filter((r) => r.inode !== 0 && mine.has(r.inode));
}

export interface LabPromise {
  /** Addresses lab sockets may use (loopback and the policy's extras). */
  addresses: string[];
  ports: [number, number];
  /** The site's own port: its listener and its connections are the server's, not the lab's. */
  sitePort: number;
}

const canonical = (a: string) => ipaddr.process(a).toString();

/** Why a socket breaks the lab's promise, or null. */
export function violation(s: KernelSocket, promise: LabPromise): string | null {
  if (s.local.port === promise.sitePort || s.remote.port === promise.sitePort) return null;
  const allowed = new Set(promise.addresses.map(canonical));
  const where = `${s.proto} ${s.local.address}:${s.local.port} -> ${s.remote.address}:${s.remote.port} (state ${s.state})`;
  if (!allowed.has(canonical(s.local.address))) return `bound outside the policy's addresses: ${where}`;
  const reachable = s.state === LISTEN || (s.proto.startsWith('udp') && s.remote.port === 0);
  const [lo, hi] = promise.ports;
  if (reachable && (s.local.port < lo || s.local.port > hi)) return `reachable outside the lab range: ${where}`;
  return null;
}

/** Every socket of the process that breaks the promise, described; empty when it holds. */
export function labSocketViolations(promise: LabPromise, pid: number | 'self' = 'self'): string[] {
  return processSockets(pid)
    .map((s) => violation(s, promise))
    .filter((v): v is string => v !== null);
}
