/**
 * One learner's lab: a table of socket handles (s1, s2, ...) mapped to real engine sockets, the step
 * log broadcast to every viewer, quotas, and the guarantee that every socket is closed when the
 * session ends, however it ends. Nothing outside this table can be named by a command.
 */
import { randomBytes } from 'node:crypto';
import type { Engine, EngineSocket, Family, SocketType, WaitOptions } from '../engines/types.ts';
import { KernelViewError, type KernelReader } from '../kernel/index.ts';
import type { Command, CommandId, Reply, ServerEvent, Step } from '../protocol/index.ts';
import { Cancellation } from './cancellation.ts';
import { LabFailure, toLabError } from './failure.ts';
import { joinKernelRows, type ClosedSocket, type Tuple } from './kernel-view.ts';
import { OP_HANDLERS } from './ops.ts';
import type { LabPolicy } from './policy.ts';
import type { PortPicker } from './port-picker.ts';
import { TokenBucket } from './rate-limit.ts';
import { ChatProgram, type ChatOptions } from '../chat/chat-program.ts';

export interface SessionDeps {
  engine: Engine;
  policy: LabPolicy;
  ports: PortPicker;
  /** The kernel's table: asked for the rows that may concern this session's sockets. */
  readKernel: KernelReader['read'];
  /** Clients a chat server running in a session may hold, beyond the learner's own socket cap. */
  chatMaxClients: number;
  /** Lab sockets the whole server may hold (server/lab/fd-budget.ts): no mix of sessions reaches EMFILE. */
  fdBudget: number;
}

export interface ExecuteOptions {
  /** A call made by a program running in the session: not subject to the learner's rate limit. */
  internal?: boolean;
  /** Do not broadcast the step (a program logging a summary instead). */
  quiet?: boolean;
  /** Called just before the finished step is broadcast (the hub holds the socket's writes there). */
  beforeFinish?: () => void;
}

export interface SocketEntry {
  handle: string;
  actor: string;
  type: SocketType;
  family: Family;
  sock: EngineSocket;
  blocking: boolean;
  listening: boolean;
  /** The pending read-side (accept/recv/recvfrom) and write-side (connect/send/sendto) calls. */
  pending: { read?: Cancellation; write?: Cancellation };
  /** The connection's addresses while the kernel could still tell them (they vanish once it closes). */
  tuple?: Tuple;
  /** Accepted by a program running in the session (a chat client): counted against the program's allowance. */
  byProgram: boolean;
  /** A program (the chat server) accepts on this listener while it runs. */
  servesProgram?: boolean;
}

export type Direction = 'read' | 'write';
export type Viewer = (event: ServerEvent) => void;
export type ViewerRole = 'owner' | 'viewer';

const CLOSED_MEMORY_MS = 3 * 60_000;

export class LabSession {
  readonly id = randomBytes(12).toString('base64url');
  readonly watchToken = randomBytes(18).toString('base64url');
  lastActivity = Date.now();
  ended = false;

  private readonly sockets = new Map<string, SocketEntry>();
  private readonly closed: (ClosedSocket & { at: number })[] = [];
  private readonly viewers = new Map<Viewer, ViewerRole>();
  /** Set by whoever opened the session (class hosting: the student it belongs to). */
  label: { studentId?: number; nickname?: string; presenter?: boolean } = {};
  /** Called with every finished step (class hosting feeds the instructor's dashboard). */
  onStep: ((step: Step) => void) | null = null;
  private readonly commands: TokenBucket;
  private readonly kernelReads: TokenBucket;
  private nextHandle = 1;
  private seq = 0;
  /** The session's sockets that its program accepted (they have their own allowance). */
  private programSockets = 0;
  /** How many clients the running program may accept: chatMaxClients while the chat runs, else 0. */
  private programAllowance = 0;
  /** The chat server program, when one runs in this session. */
  chat: ChatProgram | null = null;

  constructor(readonly deps: SessionDeps) {
    const rate = deps.policy.limits.commandsPerSecond;
    this.commands = new TokenBucket(rate, rate * 2);
    // The kernel view is refreshed after every step, so it gets its own, separate allowance.
    this.kernelReads = new TokenBucket(Math.max(10, rate), Math.max(20, rate * 2));
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  attach(viewer: Viewer, role: ViewerRole = 'owner'): () => void {
    this.viewers.set(viewer, role);
    return () => this.viewers.delete(viewer);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  private broadcast(event: ServerEvent, only?: ViewerRole): void {
    for (const [v, role] of this.viewers) {
      if (only && role !== only) continue;
      try {
        v(event);
      } catch {
        /* a broken viewer must not stop the others */
      }
    }
  }

  // ------------------------------------------------------------------ socket table

  entry(handle: string): SocketEntry {
    const e = this.sockets.get(handle);
    if (!e) throw new LabFailure('E_NO_SOCKET', `There is no socket ${handle} in this session (it was never created here, or it was closed).`);
    return e;
  }

  /**
   * Refuses (E_LIMIT) a new socket beyond the session's cap, or beyond the server's budget. The
   * learner's own sockets count against `limits.sockets`; the clients a running program accepts
   * (`forProgram`) against `chatMaxClients`, an allowance that exists only while the program runs.
   */
  ensureRoom(forProgram = false): void {
    if (forProgram) {
      const allowance = this.programAllowance;
      if (this.programSockets >= allowance) {
        throw new LabFailure('E_LIMIT', `The chat server may hold ${allowance} clients; it accepts more when one leaves.`);
      }
    } else {
      const cap = this.deps.policy.limits.sockets;
      if (this.sockets.size - this.programSockets >= cap) {
        throw new LabFailure('E_LIMIT', `A session may hold ${cap} open sockets; close one first.`);
      }
    }
    if (this.deps.engine.openFds() >= this.deps.fdBudget) {
      throw new LabFailure(
        'E_LIMIT',
        `The lab server holds ${this.deps.fdBudget} sockets for all its learners, as many as this machine allows it; ` +
          'try again when other sessions have closed some.',
      );
    }
  }

  /** Starts the chat server on a listening socket; its clients may take the session past the usual socket cap. */
  startChat(listener: SocketEntry, options: ChatOptions): ChatProgram {
    if (this.chat?.isRunning) throw new LabFailure('E_BUSY', 'A chat server is already running in this session.');
    if (listener.type !== 'tcp' || !listener.listening) {
      throw new LabFailure('E_BAD_REQUEST', `${listener.handle} is not a listening TCP socket: call listen() on it first.`);
    }
    // Set before the program starts: its first accept() runs inside the constructor.
    listener.servesProgram = true;
    this.programAllowance = this.deps.chatMaxClients;
    this.chat = new ChatProgram(this, listener.handle, options, (kind, detail) => {
      if (kind === 'stopped') {
        // The allowance ends with the program (its clients are closed by now).
        listener.servesProgram = false;
        this.programAllowance = 0;
      }
      if (this.ended) return;
      const { stats, ...rest } = detail as { stats?: unknown } & Record<string, unknown>;
      this.broadcast({
        event: 'program',
        program: 'chat',
        kind,
        ...(rest as { sock?: string; nick?: string; reason?: string }),
        ...(kind === 'stats' || kind === 'stopped' ? { stats: (stats ?? detail) as ChatProgram['stats'] } : {}),
        at: Date.now(),
      });
    });
    this.broadcast({ event: 'program', program: 'chat', kind: 'started', sock: listener.handle, at: Date.now() });
    return this.chat;
  }

  addSocket(sock: EngineSocket, actor: string, type: SocketType, family: Family, byProgram = false): SocketEntry {
    const handle = `s${this.nextHandle++}`;
    const entry: SocketEntry = { handle, actor, type, family, sock, blocking: true, listening: false, pending: {}, byProgram };
    this.sockets.set(handle, entry);
    if (byProgram) this.programSockets++;
    sock.watch((change) => {
      if (!this.ended) this.broadcast({ event: 'kernel', sock: handle, ...change, at: Date.now() });
    });
    return entry;
  }

  /** Notes a socket's addresses while the kernel can still tell them. */
  private rememberTuple(entry: SocketEntry): Tuple | undefined {
    const local = safe(() => entry.sock.localAddress());
    const remote = safe(() => entry.sock.remoteAddress());
    if (local && remote && remote.port !== 0) entry.tuple = { tcp: entry.type === 'tcp', local, remote };
    return entry.tuple;
  }

  closeSocket(entry: SocketEntry): void {
    entry.pending.read?.abort();
    entry.pending.write?.abort();
    const tuple = entry.tuple ?? (entry.type === 'udp' ? this.rememberTuple(entry) : undefined);
    if (tuple) this.closed.push({ handle: entry.handle, ...tuple, at: Date.now() });
    if (this.sockets.delete(entry.handle) && entry.byProgram) this.programSockets--;
    entry.sock.close();
  }

  /** Wait options for a call on `entry`; refuses a second pending call in the same direction. */
  beginWait(entry: SocketEntry, direction: Direction, onBlocked: () => void): { wait: WaitOptions; done: () => void } {
    if (entry.pending[direction]) {
      throw new LabFailure('E_BUSY', `A ${direction === 'read' ? 'receiving' : 'sending'} call is already waiting on ${entry.handle}.`);
    }
    const controller = new Cancellation();
    entry.pending[direction] = controller;
    return {
      wait: { blocking: entry.blocking, signal: controller, onBlocked },
      done: () => {
        if (entry.pending[direction] === controller) entry.pending[direction] = undefined;
      },
    };
  }

  // ------------------------------------------------------------------ commands

  /** Runs one command and returns its reply; never throws. */
  async execute(cmd: Command, opts: ExecuteOptions = {}): Promise<Reply> {
    if (this.ended) return fail(cmd.id, new LabFailure('E_CANCELLED', 'This session has ended.'));
    if (!opts.internal) this.lastActivity = Date.now();

    if (cmd.op === 'kernel') {
      if (!this.kernelReads.take()) return fail(cmd.id, new LabFailure('E_LIMIT', 'Too many kernel-view requests; slow down.'));
      try {
        const rows = await this.kernelRows();
        // Viewers cannot ask for the kernel view themselves: they see the owner's, as it is refreshed.
        this.broadcast({ event: 'kernel-table', rows, at: Date.now() }, 'viewer');
        return { id: cmd.id, ok: true, result: { rows } };
      } catch (e) {
        return fail(cmd.id, e);
      }
    }
    if (!opts.internal && !this.commands.take()) {
      return fail(cmd.id, new LabFailure('E_LIMIT', `More than ${this.deps.policy.limits.commandsPerSecond} calls per second; slow down.`));
    }

    const args = cmd.args as Record<string, unknown>;
    const sockHandle = typeof args.sock === 'string' ? args.sock : undefined;
    const step: Step = {
      event: 'step',
      seq: ++this.seq,
      id: cmd.id,
      actor: this.sockets.get(sockHandle ?? '')?.actor ?? (cmd.op === 'socket' ? (cmd.args.actor ?? 'program') : 'program'),
      op: cmd.op,
      ...(sockHandle ? { sock: sockHandle } : {}),
      args,
      status: 'ok',
      start: Date.now(),
    };
    let blockedSent = false;
    const onBlocked = () => {
      if (blockedSent || this.ended || opts.quiet) return;
      blockedSent = true;
      this.broadcast({ ...step, status: 'blocked' });
    };

    try {
      const handler = OP_HANDLERS[cmd.op] as (s: LabSession, a: unknown, onBlocked: () => void, internal: boolean) => Promise<Record<string, unknown>>;
      const result = await handler(this, cmd.args, onBlocked, opts.internal === true);
      if (cmd.op === 'socket') step.sock = result.sock as string;
      // Only connect and accept give a socket its peer: remember the pair while the kernel knows it.
      if (cmd.op === 'connect' || cmd.op === 'accept') {
        const e = this.sockets.get(cmd.op === 'connect' ? sockHandle! : String(result.sock));
        if (e) this.rememberTuple(e);
      }
      if (!opts.quiet) {
        opts.beforeFinish?.();
        this.finishStep({ ...step, status: 'ok', result, end: Date.now() });
      }
      return { id: cmd.id, ok: true, result };
    } catch (e) {
      const error = toLabError(e);
      if (!opts.quiet) {
        opts.beforeFinish?.();
        this.finishStep({ ...step, status: 'error', error, end: Date.now() });
      }
      return { id: cmd.id, ok: false, error };
    }
  }

  private finishStep(step: Step): void {
    if (this.ended) return;
    this.broadcast(step);
    this.onStep?.(step);
  }

  async kernelRows() {
    const now = Date.now();
    while (this.closed.length && now - this.closed[0].at > CLOSED_MEMORY_MS) this.closed.shift();
    const entries = [...this.sockets.values()];
    // A TCP connection's addresses never change once known; a UDP socket may connect elsewhere.
    const tupleOf = (e: SocketEntry) => (e.type === 'tcp' && e.tuple ? e.tuple : this.rememberTuple(e));
    const own = entries.map((e) => ({ handle: e.handle, inode: safe(() => e.sock.inode()), tuple: tupleOf(e) }));
    const sockets = entries.flatMap((e) => (e.sock.fd === null ? [] : [{ fd: e.sock.fd, type: e.type }]));
    const asked = [...this.closed];
    let raw;
    try {
      raw = await this.deps.readKernel({ sockets, closed: asked });
    } catch (e) {
      if (e instanceof KernelViewError) throw new LabFailure(e.code, e.message);
      throw e;
    }
    const rows = joinKernelRows(raw, own, asked);
    // A closed connection the kernel no longer holds never comes back: stop asking about it, so a
    // view costs what the session still has in the kernel.
    const kept = new Set(rows.filter((r) => r.relation === 'closed').map((r) => r.of));
    const gone = new Set(asked.filter((c) => !kept.has(c.handle)));
    for (let i = this.closed.length - 1; i >= 0; i--) if (gone.has(this.closed[i]!)) this.closed.splice(i, 1);
    return rows;
  }

  /** Closes every socket and tells the viewers why. Idempotent. */
  end(reason: 'idle' | 'closed' | 'shutdown' | 'replaced' | 'ended', message: string): void {
    if (this.ended) return;
    this.chat?.stop();
    for (const entry of [...this.sockets.values()]) {
      try {
        this.closeSocket(entry);
      } catch {
        /* keep closing the rest */
      }
    }
    this.broadcast({ event: 'bye', reason, message });
    this.ended = true;
    this.viewers.clear();
  }
}

function fail(id: CommandId, e: unknown): Reply {
  return { id, ok: false, error: toLabError(e) };
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
