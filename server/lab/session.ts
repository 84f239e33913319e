/**
 * One learner's lab: its socket table (server/lab/socket-table.ts), the step log broadcast to every
 * viewer, the learner's call rate, the program running on one of its listeners, and the guarantee
 * that every socket is closed when the session ends, however it ends.
 */
import { randomBytes } from 'node:crypto';
import type { KernelReader } from '../kernel/index.ts';
import type { ArgsOf, CaptureState, CommandId, HostName, KernelRow, Op, ProgramName, Reply, ResultOf, ServerEvent, SessionEndReason, Step } from '../protocol/index.ts';
import { HOST_NAMES } from '../protocol/index.ts';
import { LabFailure } from '../protocol/errors.ts';
import type { Sandbox, SandboxNetwork } from '../sandbox/index.ts';
import { toLabError } from './failure.ts';
import { addOwnTcpInfo, joinKernelRows, type ClosedSocket } from './kernel-view.ts';
import { sandboxCall } from './sandbox-call.ts';
import type { CallInfo, OpContext, OpDeps } from './op-context.ts';
import { OP_HANDLERS } from './ops.ts';
import type { ProgramHost, ProgramRegistry, ProgramReport, RunningProgram } from './program.ts';
import { TokenBucket } from './rate-limit.ts';
import { SessionCapture, type CaptureSupport } from './session-capture.ts';
import { safe, SocketTable, type SocketEntry } from './socket-table.ts';

export type { SocketEntry } from './socket-table.ts';

export interface SessionDeps extends OpDeps {
  /** The kernel's table: asked for the rows that may concern this session's sockets. */
  readKernel: KernelReader['read'];
  /** getsockopt(TCP_INFO) on a session's fd, for rows read without it (a sandbox host's); absent with the /proc reader. */
  readTcpInfo?: KernelReader['tcpInfo'];
  /** The programs `run` may start (server/programs.ts). */
  programs: ProgramRegistry;
  /** Lab sockets the whole server may hold (server/lab/fd-budget.ts): no mix of sessions reaches EMFILE. */
  fdBudget: number;
  /** The count checked against fdBudget, when it is not this engine's alone (lab workers: server/lab/fd-count.ts). */
  fdCount?: () => number;
  /** Where `network` builds the session's sandbox network; absent: E_UNSUPPORTED. */
  sandbox?: Pick<Sandbox, 'create'>;
  /** Packet capture (issue 17): the shared loopback capture and the per-session cap; absent: unavailable. */
  capture?: CaptureSupport;
}

export interface ExecuteOptions {
  /** A call made by a program running in the session: not subject to the learner's rate limit. */
  internal?: boolean;
  /** Do not broadcast the step (a program logging a summary instead). */
  quiet?: boolean;
}

/** A command of op O, as `execute` takes it (O is inferred from `op`). */
export interface CommandFor<O extends Op> {
  id: CommandId;
  op: O;
  args: ArgsOf<O>;
}

export type Viewer = (event: ServerEvent) => void;
export type ViewerRole = 'owner' | 'viewer';

/** The program running in a session, and the listener it serves. */
interface Running {
  name: ProgramName;
  listener: SocketEntry;
  /** Null only while start() runs (the program may make its first call from there). */
  program: RunningProgram | null;
}

export class LabSession implements OpContext {
  readonly id = randomBytes(12).toString('base64url');
  readonly watchToken = randomBytes(18).toString('base64url');
  lastActivity = Date.now();
  ended = false;

  readonly sockets: SocketTable;
  private readonly viewers = new Map<Viewer, ViewerRole>();
  /** Set by whoever opened the session (class hosting: the student it belongs to). */
  label: { studentId?: number; nickname?: string; presenter?: boolean } = {};
  /** Called with every finished step (class hosting feeds the instructor's dashboard). */
  onStep: ((step: Step) => void) | null = null;
  private readonly commands: TokenBucket;
  private readonly kernelReads: TokenBucket;
  private seq = 0;
  private nextProgramCall = 1;
  /** The program running in this session, if any (one at a time). */
  private running: Running | null = null;
  /** The session's sandbox network (one at a time), or the promise of it while it is built. */
  private sandboxNetwork: SandboxNetwork | null = null;
  private networkPending: Promise<SandboxNetwork> | null = null;
  /** The session's packets, off until the page asks (`capture` op). */
  readonly capture: SessionCapture | null;

  constructor(readonly deps: SessionDeps) {
    const rate = deps.policy.limits.commandsPerSecond;
    this.commands = new TokenBucket(rate, rate * 2);
    // The kernel view is refreshed after every step, so it gets its own, separate allowance.
    this.kernelReads = new TokenBucket(Math.max(10, rate), Math.max(20, rate * 2));
    this.sockets = new SocketTable({ sockets: deps.policy.limits.sockets, fdBudget: deps.fdBudget, engine: deps.fdCount ? { openFds: deps.fdCount } : deps.engine }, (handle, change) => {
      if (!this.ended) this.broadcast({ event: 'kernel', sock: handle, ...change, at: Date.now() });
    });
    this.capture = deps.capture ? new SessionCapture(deps.capture, (event) => this.ended || this.broadcast(event), () => this.sockets.entries()) : null;
  }

  // ------------------------------------------------------------------ packets

  async captureAction(action: ArgsOf<'capture'>['action']): Promise<CaptureState> {
    const capture = this.capture;
    if (!capture) throw new LabFailure('E_UNSUPPORTED', 'This lab server does not capture packets: the host switched it off (--capture-packets 0).');
    if (action === 'status') return capture.status();
    if (action === 'stop') return capture.stop();
    const network = this.sandboxNetwork && !this.sandboxNetwork.ended ? this.sandboxNetwork : null;
    const state = await capture.start(network);
    if (state.state === 'unavailable') throw new LabFailure('E_UNSUPPORTED', `${state.reason ?? 'Packet capture cannot run here.'} ${state.enable ?? ''}`.trim());
    return state;
  }

  pcapFile(): ResultOf<'pcap'> {
    if (!this.capture) throw new LabFailure('E_UNSUPPORTED', 'This lab server does not capture packets: the host switched it off (--capture-packets 0).');
    const { packets, file } = this.capture.pcapng();
    return { name: `socket-lab-${this.id.slice(0, 8)}.pcapng`, packets, file: Buffer.from(file).toString('base64') };
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

  // ------------------------------------------------------------------ programs

  /** Starts the program `run` names; its clients may take the session past the usual socket cap. */
  runProgram(listener: SocketEntry, args: ArgsOf<'run'>): void {
    if (this.running?.program?.isRunning) throw new LabFailure('E_BUSY', `A ${this.running.name} server is already running in this session.`);
    if (listener.type !== 'tcp' || !listener.listening) {
      throw new LabFailure('E_BAD_REQUEST', `${listener.handle} is not a listening TCP socket: call listen() on it first.`);
    }
    const definition = this.deps.programs[args.program];
    // Set before the program starts: its first accept() may run inside start().
    listener.servesProgram = true;
    this.sockets.programAllowance = definition.maxClients;
    const running: Running = { name: args.program, listener, program: null };
    this.running = running;
    running.program = definition.start(this.hostFor(running), args);
    this.broadcast({ event: 'program', program: args.program, kind: 'started', sock: listener.handle, at: Date.now() });
  }

  stopProgram(name: ProgramName): void {
    const program = this.running?.name === name ? this.running.program : null;
    if (!program?.isRunning) throw new LabFailure('E_BAD_REQUEST', `No ${name} server is running in this session.`);
    program.stop();
  }

  private hostFor(running: Running): ProgramHost {
    return {
      listener: running.listener.handle,
      call: (op, args, options) => this.execute({ id: `${running.name}-${this.nextProgramCall++}`, op, args }, { internal: true, quiet: options?.quiet }),
      report: (report) => this.programReported(running, report),
    };
  }

  private programReported(running: Running, report: ProgramReport): void {
    if (report.kind === 'stopped') {
      // The allowance ends with the program (its clients are closed by now).
      running.listener.servesProgram = false;
      if (this.running === running) {
        this.sockets.programAllowance = 0;
        this.running = null;
      }
    }
    if (this.ended) return;
    this.broadcast({ event: 'program', program: running.name, ...report, at: Date.now() });
  }

  // ------------------------------------------------------------------ sandbox network

  network(): SandboxNetwork {
    const network = this.sandboxNetwork;
    if (!network || network.ended) {
      throw new LabFailure('E_NO_NETWORK', 'This session has no sandbox network: create one first ({"op":"network","args":{"action":"create","topology":"home"}}).');
    }
    return network;
  }

  async createNetwork(args: ArgsOf<'network'> & { action: 'create' }): Promise<SandboxNetwork> {
    if (this.networkPending || (this.sandboxNetwork && !this.sandboxNetwork.ended)) {
      throw new LabFailure('E_LIMIT', 'A session has one sandbox network at a time: destroy it first.');
    }
    const sandbox = this.deps.sandbox;
    if (!sandbox) throw new LabFailure('E_UNSUPPORTED', 'This lab server has no sandbox network.');
    const pending = sandboxCall(() => sandbox.create(args.topology));
    this.networkPending = pending;
    try {
      const network = await pending;
      if (this.ended) {
        await network.destroy();
        throw new LabFailure('E_CANCELLED', 'The session ended.');
      }
      this.sandboxNetwork = network;
      if (this.capture?.on) void this.capture.networkCreated(network);
      // Its helper may end on its own (a crash): the network's sockets are gone with it, so the table drops them.
      network.onEnd(() => {
        if (this.sandboxNetwork === network) this.dropSandboxSockets();
      });
      return network;
    } finally {
      this.networkPending = null;
    }
  }

  async destroyNetwork(): Promise<void> {
    const network = this.network();
    this.sandboxNetwork = null;
    this.dropSandboxSockets();
    await network.destroy();
  }

  /** Closes the session's sockets that live on sandbox hosts. */
  private dropSandboxSockets(): void {
    this.capture?.networkGone();
    for (const entry of this.sockets.entries()) {
      if (!entry.host) continue;
      try {
        this.sockets.close(entry);
      } catch {
        /* keep closing the rest */
      }
    }
  }

  // ------------------------------------------------------------------ commands

  /**
   * A call made by the server itself (a program, the class chat): typed by its op, as `LabClient.call`
   * is in the browser; not subject to the learner's rate limit.
   */
  call<O extends Op>(op: O, args: ArgsOf<O>, options: { quiet?: boolean } = {}): Promise<Reply<O>> {
    return this.execute({ id: `server-${this.nextProgramCall++}`, op, args }, { internal: true, quiet: options.quiet });
  }

  /** Runs one command and returns its reply, typed by its op; never throws. */
  async execute<O extends Op>(cmd: CommandFor<O>, opts: ExecuteOptions = {}): Promise<Reply<O>> {
    if (this.ended) return fail(cmd.id, new LabFailure('E_CANCELLED', 'This session has ended.'));
    if (!opts.internal) this.lastActivity = Date.now();
    // A waiting poll the kernel would already answer completes first, as a blocked poll(2) wakes the
    // moment data arrives: its watch's wake-up may still be queued behind this command (a worker
    // reads both in one turn), and this call could take the data that woke it.
    for (const again of [...this.sockets.pollRechecks]) again();

    // The kernel view is no step: it has its own allowance, and viewers get the rows (kernelView()).
    if (cmd.op === 'kernel') {
      if (!this.kernelReads.take()) return fail(cmd.id, new LabFailure('E_LIMIT', 'Too many kernel-view requests; slow down.'));
      try {
        return { id: cmd.id, ok: true, result: await OP_HANDLERS[cmd.op](this, cmd.args, { onBlocked: () => {}, internal: opts.internal === true }) };
      } catch (e) {
        return fail(cmd.id, e);
      }
    }
    if (!opts.internal && !this.commands.take()) {
      return fail(cmd.id, new LabFailure('E_LIMIT', `More than ${this.deps.policy.limits.commandsPerSecond} calls per second; slow down.`));
    }
    // A lab shell's command is no step: it is the owner's alone, and viewers never see its token.
    if (cmd.op === 'network' && isShellRequest(cmd.args)) opts = { ...opts, quiet: true };
    // Capture and its file are no socket calls: the capture event tells the viewers; the file is the owner's.
    if (cmd.op === 'capture' || cmd.op === 'pcap') opts = { ...opts, quiet: true };

    const sockHandle = handleIn(cmd.args);
    const step: Step<O> = {
      event: 'step',
      seq: ++this.seq,
      id: cmd.id,
      actor: this.sockets.find(sockHandle ?? firstPolled(cmd.args) ?? '')?.actor ?? actorIn(cmd.args) ?? 'program',
      op: cmd.op,
      ...(sockHandle ? { sock: sockHandle } : {}),
      args: cmd.args,
      status: 'ok',
      start: Date.now(),
    };
    const stepEntry = sockHandle ? this.sockets.find(sockHandle) : undefined;
    const window = opts.quiet ? null : (this.capture?.beginStep(step, stepEntry, destinationIn(cmd.args)) ?? null);
    let blockedSent = false;
    const onBlocked = () => {
      if (blockedSent || this.ended || opts.quiet) return;
      blockedSent = true;
      this.broadcast(ANY_STEP[cmd.op]({ ...step, status: 'blocked' }));
      this.capture?.blocked(window);
    };
    const onEcho = (host: HostName, address: string, echo: Parameters<NonNullable<CallInfo['onEcho']>>[2]) => {
      if (this.ended || opts.quiet) return;
      this.broadcast({ event: 'echo', seq: step.seq, id: cmd.id, host, address, echo, at: Date.now() });
    };

    try {
      const handler = OP_HANDLERS[cmd.op];
      const result = await handler(this, cmd.args, { onBlocked, internal: opts.internal === true, onEcho });
      // A new socket's step is about the socket it made.
      if (cmd.op === 'socket') step.sock = handleIn(result);
      this.noteCaptured(cmd.op, window, stepEntry, result);
      if (!opts.quiet) {
        this.finishStep(ANY_STEP[cmd.op]({ ...step, status: 'ok', result, end: Date.now() }));
      }
      this.capture?.finished(window);
      return { id: cmd.id, ok: true, result };
    } catch (e) {
      const error = toLabError(e);
      this.noteCaptured(cmd.op, window, stepEntry, null);
      if (!opts.quiet) {
        this.finishStep(ANY_STEP[cmd.op]({ ...step, status: 'error', error, end: Date.now() }));
      }
      this.capture?.finished(window);
      return { id: cmd.id, ok: false, error };
    }
  }

  /** After a call: the capture learns its socket's (and an accepted socket's) ports and reads the call's packets. */
  private noteCaptured(cmd: Op, window: ReturnType<SessionCapture['beginStep']>, entry: SocketEntry | undefined, result: object | null): void {
    const capture = this.capture;
    if (!capture?.on || this.ended) return;
    const made = result ? handleIn(result) : undefined;
    const child = made ? this.sockets.find(made) : undefined;
    if (child) capture.noteSocket(child);
    // A bind gives a socket its port (connect and sends: callReturned claims theirs).
    if (entry && cmd === 'bind' && result && 'port' in result && typeof result.port === 'number') capture.notePort(entry, result.port);
    capture.callReturned(window, entry);
  }

  private finishStep(step: Step): void {
    if (this.ended) return;
    this.broadcast(step);
    this.onStep?.(step);
  }

  /** The kernel view for the owner; viewers cannot ask for it themselves: they see the owner's, as it is refreshed. */
  async kernelView(): Promise<KernelRow[]> {
    const rows = await this.kernelRows();
    this.broadcast({ event: 'kernel-table', rows, at: Date.now() }, 'viewer');
    return rows;
  }

  /**
   * This machine's rows for the session's own sockets, then each sandbox host's rows for the
   * sockets on that host, read from that host's own table (its namespace's /proc/net).
   */
  async kernelRows(): Promise<KernelRow[]> {
    const entries = this.sockets.entries();
    const closed = this.sockets.recentlyClosed();
    const rows = await this.machineRows(
      entries.filter((e) => !e.host),
      closed.filter((c) => !c.host),
    );
    const shellHosts = this.sandboxNetwork?.shellHosts ?? new Set<HostName>();
    for (const host of HOST_NAMES) {
      const onHost = entries.filter((e) => e.host === host);
      const closedOnHost = closed.filter((c) => c.host === host);
      if (onHost.length === 0 && closedOnHost.length === 0 && !shellHosts.has(host)) continue;
      rows.push(...(await this.hostRows(host, onHost, closedOnHost, shellHosts.has(host))));
    }
    return rows;
  }

  /** `everyProgram`: the learner has a shell on the host, so every socket in its table is theirs to see. */
  private async hostRows(host: HostName, entries: SocketEntry[], asked: ClosedSocket[], everyProgram: boolean): Promise<KernelRow[]> {
    const network = this.sandboxNetwork;
    if (!network || network.ended) {
      this.sockets.forgetClosed(new Set(asked));
      return [];
    }
    const own = entries.map((e) => ({ handle: e.handle, inode: safe(() => e.sock.inode()), tuple: e.type === 'tcp' && e.tuple ? e.tuple : this.sockets.rememberTuple(e) }));
    const raw = await sandboxCall(() => network.kernelTable(host));
    const joined = joinKernelRows(raw, own, asked, { everyProgram });
    const readTcpInfo = this.deps.readTcpInfo;
    const fdOf = (handle: string) => entries.find((e) => e.handle === handle)?.sock.fd ?? null;
    const rows = (readTcpInfo ? addOwnTcpInfo(joined, fdOf, readTcpInfo) : joined).map((r) => ({ ...r, host }));
    const kept = new Set(rows.filter((r) => r.relation === 'closed').map((r) => r.of));
    this.sockets.forgetClosed(new Set(asked.filter((c) => !kept.has(c.handle))));
    return rows;
  }

  private async machineRows(entries: SocketEntry[], asked: ClosedSocket[]): Promise<KernelRow[]> {
    // A TCP connection's addresses never change once known; a UDP socket may connect elsewhere.
    const tupleOf = (e: SocketEntry) => (e.type === 'tcp' && e.tuple ? e.tuple : this.sockets.rememberTuple(e));
    const own = entries.map((e) => ({ handle: e.handle, inode: safe(() => e.sock.inode()), tuple: tupleOf(e) }));
    const sockets = entries.flatMap((e) => (e.sock.fd === null ? [] : [{ fd: e.sock.fd, type: e.type }]));
    const raw = await this.deps.readKernel({ sockets, closed: asked });
    const rows = joinKernelRows(raw, own, asked);
    // A closed connection the kernel no longer holds never comes back: stop asking about it, so a
    // view costs what the session still has in the kernel.
    const kept = new Set(rows.filter((r) => r.relation === 'closed').map((r) => r.of));
    this.sockets.forgetClosed(new Set(asked.filter((c) => !kept.has(c.handle))));
    return rows;
  }

  /** Closes every socket and tells the viewers why. Idempotent. */
  end(reason: SessionEndReason, message: string): void {
    if (this.ended) return;
    this.running?.program?.stop();
    this.sockets.closeAll();
    this.capture?.close();
    // The network goes with the session; one being built is destroyed when it arrives (createNetwork).
    const network = this.sandboxNetwork;
    this.sandboxNetwork = null;
    void network?.destroy();
    this.broadcast({ event: 'bye', reason, message });
    this.ended = true;
    this.viewers.clear();
  }
}

function isShellRequest(args: unknown): boolean {
  return typeof args === 'object' && args !== null && 'action' in args && args.action === 'shell' && 'host' in args;
}

/**
 * One op's step as a step of any op. The type checker cannot see on its own that a step of a generic
 * op is one of the union's members; one identity per op proves it without a cast.
 */
const ANY_STEP: { [O in Op]: (step: Step<O>) => Step } = {
  socket: (s) => s,
  bind: (s) => s,
  listen: (s) => s,
  accept: (s) => s,
  connect: (s) => s,
  send: (s) => s,
  recv: (s) => s,
  sendto: (s) => s,
  recvfrom: (s) => s,
  shutdown: (s) => s,
  close: (s) => s,
  setblocking: (s) => s,
  kernel: (s) => s,
  run: (s) => s,
  stop: (s) => s,
  network: (s) => s,
  firewall: (s) => s,
  forward: (s) => s,
  ping: (s) => s,
  getsockname: (s) => s,
  getpeername: (s) => s,
  setsockopt: (s) => s,
  getsockopt: (s) => s,
  poll: (s) => s,
  check: (s) => s,
  capture: (s) => s,
  pcap: (s) => s,
};

function fail(id: CommandId, e: unknown): { id: CommandId; ok: false; error: ReturnType<typeof toLabError> } {
  return { id, ok: false, error: toLabError(e) };
}

/** The socket handle an op's args or result names (`sock`), if any. */
function handleIn(value: object): string | undefined {
  return 'sock' in value && typeof value.sock === 'string' ? value.sock : undefined;
}

/** A poll's first socket, whose actor the poll's step is shown under. */
function firstPolled(args: object): string | undefined {
  const first: unknown = 'socks' in args && Array.isArray(args.socks) ? args.socks[0] : undefined;
  return typeof first === 'object' && first !== null ? handleIn(first) : undefined;
}

/** Where a connect or sendto goes: its port (the capture's cause rule names it before the socket has one). */
function destinationIn(args: object): number | undefined {
  return 'port' in args && typeof args.port === 'number' && 'address' in args ? args.port : undefined;
}

/** The actor a `socket` command names for its socket. */
function actorIn(args: object): string | undefined {
  return 'actor' in args && typeof args.actor === 'string' ? args.actor : undefined;
}
