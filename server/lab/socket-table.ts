/**
 * One session's socket table: handles (s1, s2, ...) mapped to real engine sockets, the quotas that
 * bound it, the pending call in each direction of each socket, and the connections it closed that
 * the kernel may still remember (TIME_WAIT). Nothing outside this table can be named by a command.
 */
import type { HostName } from '../protocol/index.ts';
import type { Engine, EngineSocket, Family, SocketChange, SocketType, WaitOptions } from '../engines/types.ts';
import { LabFailure } from '../protocol/errors.ts';
import { Cancellation } from './cancellation.ts';
import type { ClosedSocket, Tuple } from './kernel-view.ts';

export interface SocketEntry {
  handle: string;
  actor: string;
  type: SocketType;
  family: Family;
  sock: EngineSocket;
  blocking: boolean;
  listening: boolean;
  /** The pending read-side (accept/recv/recvfrom) and write-side (connect/send/sendto) calls, and a waiting poll. */
  pending: { read?: Cancellation; write?: Cancellation; poll?: Cancellation };
  /** The connection's addresses while the kernel could still tell them (they vanish once it closes). */
  tuple?: Tuple;
  /** Accepted by a program running in the session (a chat client): counted against the program's allowance. */
  byProgram: boolean;
  /** A program (the chat server) accepts on this listener while it runs. */
  servesProgram?: boolean;
  /**
   * The sandbox host the socket lives on (its network namespace); absent for this machine's own
   * sockets. The loopback policy and the implicit-bind rules apply only to those.
   */
  host?: HostName;
}

export type Direction = 'read' | 'write';

export interface SocketTableLimits {
  /** The learner's own sockets (policy.limits.sockets). */
  sockets: number;
  /** Lab sockets the whole server may hold (server/lab/fd-budget.ts). */
  fdBudget: number;
  engine: Pick<Engine, 'openFds'>;
}

const CLOSED_MEMORY_MS = 3 * 60_000;

export class SocketTable {
  private readonly sockets = new Map<string, SocketEntry>();
  private readonly closed: (ClosedSocket & { at: number })[] = [];
  private nextHandle = 1;
  /** The sockets a running program accepted (they have their own allowance). */
  private programSockets = 0;
  /** How many clients the running program may accept: its allowance while it runs, else 0. */
  programAllowance = 0;
  /** Each waiting poll's "ask poll(2) again now", run before the session's next call (PollWait.recheck). */
  readonly pollRechecks = new Set<() => void>();

  constructor(
    private readonly limits: SocketTableLimits,
    /** Told of every change the kernel makes on its own on one of the table's sockets. */
    private readonly onKernelChange: (handle: string, change: SocketChange) => void,
  ) {}

  get size(): number {
    return this.sockets.size;
  }

  entries(): SocketEntry[] {
    return [...this.sockets.values()];
  }

  find(handle: string): SocketEntry | undefined {
    return this.sockets.get(handle);
  }

  entry(handle: string): SocketEntry {
    const e = this.sockets.get(handle);
    if (!e) throw new LabFailure('E_NO_SOCKET', `There is no socket ${handle} in this session (it was never created here, or it was closed).`);
    return e;
  }

  /**
   * Refuses (E_LIMIT) a new socket beyond the session's cap, or beyond the server's budget. The
   * learner's own sockets count against `limits.sockets`; the clients a running program accepts
   * (`forProgram`) against the program's allowance, which exists only while the program runs.
   */
  ensureRoom(forProgram = false): void {
    if (forProgram) {
      const allowance = this.programAllowance;
      if (this.programSockets >= allowance) {
        throw new LabFailure('E_LIMIT', `The chat server may hold ${allowance} clients; it accepts more when one leaves.`);
      }
    } else {
      const cap = this.limits.sockets;
      if (this.sockets.size - this.programSockets >= cap) {
        throw new LabFailure('E_LIMIT', `A session may hold ${cap} open sockets; close one first.`);
      }
    }
    if (this.limits.engine.openFds() >= this.limits.fdBudget) {
      throw new LabFailure(
        'E_LIMIT',
        `The lab server holds ${this.limits.fdBudget} sockets for all its learners, as many as this machine allows it; ` +
          'try again when other sessions have closed some.',
      );
    }
  }

  add(sock: EngineSocket, actor: string, type: SocketType, family: Family, byProgram = false): SocketEntry {
    const handle = `s${this.nextHandle++}`;
    const entry: SocketEntry = { handle, actor, type, family, sock, blocking: true, listening: false, pending: {}, byProgram };
    this.sockets.set(handle, entry);
    if (byProgram) this.programSockets++;
    sock.watch((change) => this.onKernelChange(handle, change));
    return entry;
  }

  /** Notes a socket's addresses while the kernel can still tell them. */
  rememberTuple(entry: SocketEntry): Tuple | undefined {
    const local = safe(() => entry.sock.localAddress());
    const remote = safe(() => entry.sock.remoteAddress());
    if (local && remote && remote.port !== 0) entry.tuple = { tcp: entry.type === 'tcp', local, remote };
    return entry.tuple;
  }

  close(entry: SocketEntry): void {
    entry.pending.read?.abort();
    entry.pending.write?.abort();
    entry.pending.poll?.abort();
    const tuple = entry.tuple ?? (entry.type === 'udp' ? this.rememberTuple(entry) : undefined);
    if (tuple) this.closed.push({ handle: entry.handle, ...tuple, ...(entry.host ? { host: entry.host } : {}), at: Date.now() });
    if (this.sockets.delete(entry.handle) && entry.byProgram) this.programSockets--;
    entry.sock.close();
  }

  /** Closes every socket, whatever fails. */
  closeAll(): void {
    for (const entry of this.entries()) {
      try {
        this.close(entry);
      } catch {
        /* keep closing the rest */
      }
    }
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

  /**
   * The cancellation of a poll on `entries`: closing any of them cancels it. One poll at a time per
   * socket (E_BUSY); reads and writes on a polled socket stay free, as they are beside poll(2).
   */
  beginPoll(entries: readonly SocketEntry[]): { signal: Cancellation; done: () => void } {
    const busy = entries.find((e) => e.pending.poll);
    if (busy) throw new LabFailure('E_BUSY', `A poll is already waiting on ${busy.handle}.`);
    const controller = new Cancellation();
    for (const e of entries) e.pending.poll = controller;
    return {
      signal: controller,
      done: () => {
        for (const e of entries) if (e.pending.poll === controller) e.pending.poll = undefined;
      },
    };
  }

  /** Connections closed recently enough that the kernel may still hold them (oldest first). */
  recentlyClosed(now = Date.now()): ClosedSocket[] {
    while (this.closed.length && now - this.closed[0].at > CLOSED_MEMORY_MS) this.closed.shift();
    return [...this.closed];
  }

  /** Stops asking about closed connections the kernel no longer holds: they never come back. */
  forgetClosed(gone: ReadonlySet<ClosedSocket>): void {
    for (let i = this.closed.length - 1; i >= 0; i--) if (gone.has(this.closed[i]!)) this.closed.splice(i, 1);
  }
}

export function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
