/**
 * The server's end of the sandbox helper: starts it (`unshare -Urn -- node helper/main.ts`),
 * sends it requests, matches replies by id, and takes each socket it sends off the channel as
 * soon as the reply announcing it is read (the socket is always queued before that reply).
 *
 * While nothing is pending, the helper's pipes do not keep the server's event loop alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { z } from 'zod';
import { SandboxError } from './errors.ts';
import {
  HelperReadySchema,
  HelperReplySchema,
  ReplyValueSchemas,
  type HelperOp,
  type HelperRequest,
  type HelperSettings,
} from './helper-protocol.ts';
import type { SandboxAddon } from './netns-addon.ts';

const HELPER_MAIN = fileURLToPath(new URL('./helper/main.ts', import.meta.url));

type RequestBody<Op extends HelperOp> = Omit<Extract<HelperRequest, { op: Op }>, 'id' | 'op'>;
type ReplyValue<Op extends HelperOp> = z.output<(typeof ReplyValueSchemas)[Op]>;

interface Pending {
  op: HelperOp;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface HelperClientOptions {
  addon: SandboxAddon;
  settings: Omit<HelperSettings, 'serverPid'>;
  /** The unshare executable and the PATH the helper runs ip/nft from. */
  unshare: string;
  path: string;
  startTimeoutMs: number;
  requestTimeoutMs: number;
  /** The helper is gone (it exited, or was killed); every pending request has been rejected. */
  onExit: (reason: string) => void;
}

/** How to start this module's TypeScript in a new node: the loader we run under, if any. */
function loaderArgs(): string[] {
  if (!import.meta.url.endsWith('.ts')) return [];
  return ['--import', import.meta.resolve('tsx')];
}

export class HelperClient {
  readonly pid: number;
  readonly #options: HelperClientOptions;
  readonly #child: ChildProcess;
  readonly #stdin: Writable;
  readonly #stdout: Readable;
  readonly #channel: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited = false;
  #stderrTail = '';

  private constructor(options: HelperClientOptions, child: ChildProcess, channel: number, pid: number) {
    this.#options = options;
    this.#child = child;
    this.#channel = channel;
    this.pid = pid;
    this.#stdin = child.stdin!;
    this.#stdout = child.stdout!;
    this.#stdin.on('error', () => {}); // EPIPE after the helper died: the exit handler reports it
    this.#updateRef();
  }

  /** Starts a helper and waits for its `ready`; rejects E_INTERNAL with what it said if it cannot. */
  static start(options: HelperClientOptions): Promise<HelperClient> {
    const { addon } = options;
    const [serverEnd, helperEnd] = addon.channelPair();
    let child: ChildProcess;
    try {
      const settings: HelperSettings = { ...options.settings, serverPid: process.pid };
      child = spawn(options.unshare, ['-Urn', '--', process.execPath, ...loaderArgs(), HELPER_MAIN, JSON.stringify(settings)], {
        stdio: ['pipe', 'pipe', 'pipe', helperEnd],
        env: { PATH: options.path, NODE_ENV: process.env.NODE_ENV },
      });
    } catch (e) {
      addon.channelClose(serverEnd);
      throw e;
    } finally {
      addon.channelClose(helperEnd); // the helper has its own copy as fd 3
    }

    return new Promise<HelperClient>((resolve, reject) => {
      let stderr = '';
      let client: HelperClient | null = null;
      const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`it did not start within ${options.startTimeoutMs} ms`);
      }, options.startTimeoutMs);
      let failed = false;
      const fail = (why: string) => {
        clearTimeout(timer);
        if (client || failed) return;
        failed = true;
        child.kill('SIGKILL'); // whatever state it is in, it will not be used
        addon.channelClose(serverEnd);
        lines.close();
        const said = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new SandboxError('E_INTERNAL', `The sandbox helper failed to start: ${why}${said ? `: ${said}` : ''}`));
      };
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4096);
        if (client) client.#stderrTail = stderr;
      });
      child.on('error', (e) => fail(e.message));
      child.on('exit', (code, signal) => {
        if (client) client.#onExit(code, signal);
        else fail(`it exited (${signal ?? `code ${code}`})`);
      });
      lines.on('line', (line) => {
        if (client) return client.#onLine(line);
        const ready = HelperReadySchema.safeParse(safeJson(line));
        if (!ready.success) return fail(`it said something unexpected: ${line.slice(0, 200)}`);
        clearTimeout(timer);
        client = new HelperClient(options, child, serverEnd, ready.data.pid);
        client.#stderrTail = stderr;
        resolve(client);
      });
    });
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Sends a request; resolves with its reply's value, checked against the op's schema. */
  request<Op extends HelperOp>(op: Op, body: RequestBody<Op>): Promise<ReplyValue<Op>> {
    return this.#send(op, body).then((value) => ReplyValueSchemas[op].parse(value) as ReplyValue<Op>);
  }

  /** A socket request: resolves with the socket's fd, already adopted by the addon. */
  requestSocket(body: RequestBody<'socket'>): Promise<number> {
    return this.#send('socket', body).then((fd) => {
      if (typeof fd !== 'number') throw new SandboxError('E_INTERNAL', 'The sandbox helper announced no socket.');
      return fd;
    });
  }

  /** A capture request: resolves with the packet socket's fd (adopted by the addon) and the link's ifindex. */
  requestCapture(body: RequestBody<'capture'>): Promise<{ fd: number; ifindex: number }> {
    return this.#send('capture', body).then((got) => {
      if (typeof got !== 'object' || got === null || !('fd' in got) || typeof got.fd !== 'number') {
        throw new SandboxError('E_INTERNAL', 'The sandbox helper announced no capture socket.');
      }
      const fd = got.fd;
      const value = ReplyValueSchemas.capture.safeParse('value' in got ? got.value : undefined);
      if (!value.success) {
        this.#options.addon.close(fd);
        throw new SandboxError('E_INTERNAL', 'The sandbox helper did not say the link of its capture socket.');
      }
      return { fd, ifindex: value.data.ifindex };
    });
  }

  #send(op: HelperOp, body: object): Promise<unknown> {
    if (this.#exited) return Promise.reject(new SandboxError('E_NO_NETWORK', 'The sandbox helper has ended.'));
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#updateRef();
        reject(new SandboxError('E_INTERNAL', `The sandbox helper did not answer ${op} within ${this.#options.requestTimeoutMs} ms.`));
      }, this.#options.requestTimeoutMs);
      this.#pending.set(id, { op, resolve, reject, timer });
      this.#updateRef();
      this.#stdin.write(`${JSON.stringify({ ...body, id, op })}\n`);
    });
  }

  #onLine(line: string): void {
    const parsed = HelperReplySchema.safeParse(safeJson(line));
    if (!parsed.success) return; // not a reply: nothing waits for it
    const reply = parsed.data;
    const pending = this.#pending.get(reply.id);
    let fd: number | null = null;
    let fdError: Error | null = null;
    if (reply.ok && reply.fd) {
      // Take it off the channel now, even when nobody waits any more, so the next one lines up.
      try {
        fd = this.#options.addon.receiveFd(this.#channel, reply.id);
      } catch (e) {
        fdError = e instanceof Error ? e : new Error(String(e));
      }
    }
    if (!pending) {
      if (fd !== null) this.#options.addon.close(fd);
      return;
    }
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    this.#updateRef();
    if (!reply.ok) return pending.reject(new SandboxError(reply.error.code, reply.error.message));
    if (fdError) return pending.reject(new SandboxError('E_INTERNAL', fdError.message));
    // A capture socket's reply carries a value too (its link's ifindex).
    pending.resolve(fd === null ? reply.value : pending.op === 'capture' ? { fd, value: reply.value } : fd);
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#options.addon.channelClose(this.#channel);
    const said = this.#stderrTail.trim().split('\n').slice(-2).join(' | ');
    const reason = `the sandbox helper ended (${signal ?? `exit code ${code}`})${said ? `: ${said}` : ''}`;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new SandboxError('E_NO_NETWORK', `${reason[0]!.toUpperCase()}${reason.slice(1)}.`));
      this.#pending.delete(id);
    }
    this.#options.onExit(reason);
  }

  /** Keeps the event loop alive only while a reply is awaited. */
  #updateRef(): void {
    if (this.#exited) return;
    setRef(this.#stdout, this.#pending.size > 0);
    setRef(this.#child.stderr, false);
    setRef(this.#stdin, false);
    this.#child.unref();
  }

  /** Ends the helper: closing its stdin makes it close every namespace and exit; SIGKILL if it lingers. */
  stop(graceMs = 2000): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      this.#child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#child.ref();
      this.#stdin.end();
    });
  }

  /** For tests and crash drills: kills the helper outright. */
  kill(): void {
    this.#child.ref(); // until its exit has been reported
    this.#child.kill('SIGKILL');
  }
}

/**
 * ref()/unref() a child's pipe (a net.Socket underneath, though typed as a plain stream). Not once
 * it is destroyed (stdin after stop(), while late replies still arrive): a socket without a handle
 * defers unref() to a `connect` that never comes, one listener per call.
 */
function setRef(stream: object | null, ref: boolean): void {
  if (!stream || Reflect.get(stream, 'destroyed') === true) return;
  const method = stream && (ref ? 'ref' : 'unref') in stream ? Reflect.get(stream, ref ? 'ref' : 'unref') : null;
  if (typeof method === 'function') method.call(stream);
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
