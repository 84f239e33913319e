/**
 * Lab shells: a terminal of the machine running the server, inside one host of a learner's own
 * sandbox network (`npm run lab-shell -- laptop TOKEN`, scripts/lab-shell.mjs).
 *
 * The page asks for a shell (op `network`, action `shell`) and gets a one-time token that expires
 * in minutes. The terminal's script hands the token to this server through a Unix socket (the
 * "door") in a directory only the server's user can enter, and gets back where the host's
 * namespaces are: the helper's pid, the fd it holds the network namespace by, and the inodes of
 * both namespaces. The script opens them, checks the inodes and runs `nsenter` with them.
 *
 * What keeps learners apart is the kernel, not the token: only the server's own user (or root) can
 * open another process's namespaces, so only the server's own user can redeem a token at all. The
 * token makes sure that the command the page printed opens *that* session's network, once, soon,
 * and while it lives. The script stays connected while its shell runs: when the network ends
 * (destroyed, session over, server stopped or killed) the connection closes and the script ends
 * the shell, so no shell outlives the network it was opened on.
 */
import { threadId } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { SandboxError } from './errors.ts';
import type { ShellEntry } from './helper-protocol.ts';
import { HostNameSchema, type HostName } from './schema.ts';

/** What a door needs of a network: its entries, whether it lives. */
export interface ShellTarget {
  readonly ended: string | null;
  entry(host: HostName): Promise<ShellEntry>;
}

export interface ShellTicket {
  host: HostName;
  token: string;
  /** The line to paste into a terminal in the project's folder. */
  command: string;
  /** When the token stops working (ms since the epoch). */
  expiresAt: number;
}

export interface ShellDoorOptions {
  /** How long a token works. */
  ttlMs: number;
  /** Where the door's socket lives: a folder only this user may enter (default /tmp/socketlab-UID). */
  dir?: string;
  /** Unredeemed tokens kept per network; asking for one more forgets the oldest. */
  tokensPerNetwork?: number;
}

/** One line from the script: the token, and the host the command names (they must agree). */
export const DoorRequestSchema = z.strictObject({ token: z.string().max(100), host: z.string().max(32) });

/** The folder of this user's doors; scripts/lab-shell.mjs computes the same. */
export function doorDir(uid = process.getuid?.() ?? 0): string {
  return path.join('/tmp', `socketlab-${uid}`);
}

const TOKEN_PATTERN = /^([0-9]{1,10})-([0-9]{1,6})\.([A-Za-z0-9_-]{22})$/;

/** The door a token belongs to: `<pid>-<n>` names the socket file, the rest is the secret. */
export function doorFileOf(token: string): string | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? `lab-shell-${m[1]}-${m[2]}.sock` : null;
}

let doorsOpened = 0;

interface Pending {
  target: ShellTarget;
  host: HostName;
  expiresAt: number;
}

export class ShellDoor {
  readonly #options: Required<ShellDoorOptions>;
  readonly #tokens = new Map<string, Pending>();
  /** Scripts connected while their shell runs, by the network they are in. */
  readonly #open = new Map<ShellTarget, Set<net.Socket>>();
  readonly #name: string;
  #server: Promise<net.Server> | null = null;
  #closed = false;

  constructor(options: ShellDoorOptions) {
    this.#options = { dir: doorDir(), tokensPerNetwork: 8, ...options };
    // Each lab worker has doors of its own: its thread's number keeps their names apart.
    this.#name = `${process.pid}-${(threadId % 90) * 10_000 + (++doorsOpened % 10_000)}`;
  }

  get path(): string {
    return path.join(this.#options.dir, `lab-shell-${this.#name}.sock`);
  }

  /** A one-time token for a shell on `host` of `target`; opens the door on first use. */
  async issue(target: ShellTarget, host: HostName): Promise<ShellTicket> {
    if (this.#closed) throw new SandboxError('E_NO_NETWORK', 'The sandbox is shut down.');
    await this.#listen();
    this.#sweep(target);
    const token = `${this.#name}.${randomBytes(16).toString('base64url')}`;
    const expiresAt = Date.now() + this.#options.ttlMs;
    this.#tokens.set(token, { target, host, expiresAt });
    return { host, token, command: `npm run lab-shell -- ${host} ${token}`, expiresAt };
  }

  /** The network ended: its tokens stop working and its shells' scripts are told to end them. */
  networkEnded(target: ShellTarget, reason: string): void {
    for (const [token, p] of this.#tokens) if (p.target === target) this.#tokens.delete(token);
    const sockets = this.#open.get(target);
    this.#open.delete(target);
    for (const socket of sockets ?? []) socket.end(`${JSON.stringify({ event: 'ended', reason })}\n`);
  }

  /** Shells connected now (for tests and leak checks). */
  get openShells(): number {
    let n = 0;
    for (const set of this.#open.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const target of [...this.#open.keys()]) this.networkEnded(target, 'the server stopped');
    this.#tokens.clear();
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    try {
      const s = await server;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    } catch {
      // it never listened
    }
    rmSync(this.path, { force: true });
  }

  /** Drops expired tokens, and the oldest of this network's beyond its allowance. */
  #sweep(target: ShellTarget): void {
    const now = Date.now();
    for (const [token, p] of this.#tokens) if (p.expiresAt <= now || p.target.ended) this.#tokens.delete(token);
    const own = [...this.#tokens].filter(([, p]) => p.target === target);
    for (const [token] of own.slice(0, Math.max(0, own.length - this.#options.tokensPerNetwork + 1))) this.#tokens.delete(token);
  }

  #listen(): Promise<net.Server> {
    this.#server ??= new Promise<net.Server>((resolve, reject) => {
      try {
        privateDir(this.#options.dir);
        rmSync(this.path, { force: true }); // a socket file left by a killed server of the same pid
      } catch (e) {
        reject(new SandboxError('E_UNSUPPORTED', `Lab shells need a private folder for their socket: ${(e as Error).message}`));
        return;
      }
      const server = net.createServer((socket) => this.#serve(socket));
      server.on('error', (e) => reject(new SandboxError('E_UNSUPPORTED', `Lab shells could not open ${this.path}: ${e.message}`)));
      server.listen(this.path, () => {
        chmodSync(this.path, 0o600);
        server.unref(); // the door never keeps the server alive by itself
        resolve(server);
      });
    });
    this.#server.catch(() => {
      this.#server = null;
    });
    return this.#server;
  }

  #serve(socket: net.Socket): void {
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    // One request line within a few seconds, or the connection goes.
    const timer = setTimeout(() => socket.destroy(), 5000);
    let buffered = '';
    const onData = (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) {
        if (buffered.length > 4096) refuse('E_BAD_REQUEST', 'The request is too long.');
        return;
      }
      socket.off('data', onData);
      clearTimeout(timer);
      this.#redeem(buffered.slice(0, nl)).then(
        ({ target, entry, host }) => this.#admit(socket, target, host, entry),
        (e: unknown) => {
          const err = e instanceof SandboxError ? e : new SandboxError('E_INTERNAL', String(e));
          refuse(err.code, err.message);
        },
      );
    };
    const refuse = (code: string, message: string) => {
      clearTimeout(timer);
      socket.end(`${JSON.stringify({ ok: false, code, message })}\n`);
    };
    socket.on('data', onData);
  }

  async #redeem(line: string): Promise<{ target: ShellTarget; host: HostName; entry: ShellEntry }> {
    let request: z.infer<typeof DoorRequestSchema>;
    try {
      request = DoorRequestSchema.parse(JSON.parse(line));
    } catch {
      throw new SandboxError('E_BAD_REQUEST', 'The lab-shell request is not one this server understands (is the script from this version?).');
    }
    const pending = this.#tokens.get(request.token);
    // One use only, whatever happens next.
    this.#tokens.delete(request.token);
    if (!pending) {
      throw new SandboxError('E_POLICY', 'This lab-shell command was used already, or is not from this server: copy a fresh one from the page.');
    }
    if (pending.expiresAt <= Date.now()) {
      throw new SandboxError('E_POLICY', 'This lab-shell command has expired: copy a fresh one from the page.');
    }
    const host = HostNameSchema.safeParse(request.host);
    if (!host.success || host.data !== pending.host) {
      throw new SandboxError('E_POLICY', `This command opens a shell on ${pending.host}, not on ${String(request.host).slice(0, 32)}.`);
    }
    if (pending.target.ended) throw new SandboxError('E_NO_NETWORK', `Your sandbox network has ended: ${pending.target.ended}.`);
    return { target: pending.target, host: pending.host, entry: await pending.target.entry(pending.host) };
  }

  #admit(socket: net.Socket, target: ShellTarget, host: HostName, entry: ShellEntry): void {
    if (target.ended || this.#closed) {
      socket.end(`${JSON.stringify({ ok: false, code: 'E_NO_NETWORK', message: 'Your sandbox network has ended.' })}\n`);
      return;
    }
    let set = this.#open.get(target);
    if (!set) this.#open.set(target, (set = new Set()));
    set.add(socket);
    socket.on('close', () => {
      const s = this.#open.get(target);
      s?.delete(socket);
      if (s?.size === 0) this.#open.delete(target);
    });
    socket.write(`${JSON.stringify({ ok: true, host, ...entry })}\n`);
  }
}

/** Makes `dir` (mode 0700) or checks that it is a folder of ours that nobody else can enter. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid) throw new Error(`${dir} is not a folder of user ${uid}`);
  if ((st.mode & 0o077) !== 0) throw new Error(`${dir} may be entered by other users (chmod 700 it)`);
}
