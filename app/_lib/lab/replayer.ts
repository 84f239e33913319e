/**
 * Re-runs recorded lab calls for real, in a fresh session, in their original order. Nothing is
 * copied from the recording: every call is sent to the server again and the kernel answers anew.
 * What must change is mapped: socket handles (the new session numbers its own) and ports the lab
 * picked (a bind to port 0 gets a new free port; later calls to the old port go to the new one).
 * A call that blocks does not hold up the next one (a later connect is what lets an accept finish),
 * exactly as when the learner made the calls.
 */
import type { CallResult, ClientEvent } from '@/server/protocol/client';
import type { ArgsOf, Command, CommandId, Op, Step } from '@/server/protocol';
import { checkedCommand } from './checked-command';
import { outcomeOf as replyOutcome } from './scenario-runner';

/** The calls a learner makes; program runs, the kernel view and the like are not replayed. */
const REPLAYABLE: ReadonlySet<Op> = new Set<Op>([
  'socket',
  'bind',
  'listen',
  'accept',
  'connect',
  'send',
  'recv',
  'sendto',
  'recvfrom',
  'shutdown',
  'close',
  'setblocking',
  'getsockname',
  'getpeername',
  'setsockopt',
  'getsockopt',
  'poll',
]);

export interface ReplayCall {
  seq: number;
  op: Op;
  args: Record<string, unknown>;
  /** The recorded answer: 'ok', 'eof', 'blocked' (never finished) or the error code. */
  recorded: string;
  recordedResult?: Record<string, unknown>;
}

/** What a recorded step's answer was, in the words of scenario-runner's outcomeOf. */
export function recordedOutcome(step: Step): string {
  if (step.status === 'blocked') return 'blocked';
  if (step.status === 'error') return step.error?.code ?? 'error';
  return step.op === 'recv' && step.result && 'eof' in step.result ? 'eof' : 'ok';
}

/** The calls to re-run for steps up to `uptoSeq`, oldest first. */
export function replayPlan(steps: readonly Step[], uptoSeq = Number.POSITIVE_INFINITY): ReplayCall[] {
  return steps
    .filter((s) => s.seq <= uptoSeq && REPLAYABLE.has(s.op))
    .sort((a, b) => a.seq - b.seq)
    .map((s) => ({ seq: s.seq, op: s.op, args: s.args, recorded: recordedOutcome(s), recordedResult: s.status === 'ok' ? s.result : undefined }));
}

/** The slice of LabClient a replay needs (a test can give the real client). */
export interface ReplayClient {
  call<O extends Op>(op: O, args: ArgsOf<O>, id?: CommandId): Promise<CallResult<O>>;
  on(listener: (e: ClientEvent) => void): () => void;
}

export interface ReplayedCall {
  seq: number;
  op: Op;
  recorded: string;
  /** 'ok', 'eof', 'blocked' (still waiting when the replay moved on), an error code, or 'skipped'. */
  actual: string;
  /** Why a call was skipped: the socket it needs was not made this time. */
  note?: string;
}

export interface ReplayOptions {
  /** The server's calls-per-second allowance for a session: calls are spaced to stay within it. */
  callsPerSecond: number;
  onProgress?: (done: number, total: number) => void;
  /** Stop early (the learner left, or started over). */
  signal?: { aborted: boolean };
  sleep?: (ms: number) => Promise<void>;
  idPrefix?: string;
}

/** A reply together with its op, so the result is narrowed by checking the op. */
type Answer<O extends Op = Op> = { [P in O]: { op: P; reply: CallResult<P> } }[O];

async function ask<O extends Op>(client: ReplayClient, command: Command<O>): Promise<Answer<O>> {
  const reply = await client.call(command.op, command.args, command.id);
  return { op: command.op, reply };
}

interface Slot<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}

function slot<T>(): Slot<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** How long a call waits for the socket it needs to be made (by an accept that is still waiting). */
const HANDLE_WAIT_MS = 5000;
const HANDLE_MAKERS: ReadonlySet<Op> = new Set<Op>(['socket', 'accept']);
const PORT_ARGS: ReadonlySet<Op> = new Set<Op>(['bind', 'connect', 'sendto']);

export class Replayer {
  /** Old handle → new handle (null: not made this time). */
  private readonly handles = new Map<string, Slot<string | null>>();
  /** A port the lab picked in the recording → the port it picked now. */
  private readonly ports = new Map<number, number>();
  private nextId = 1;
  private readonly idPrefix: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: ReplayClient,
    private readonly calls: readonly ReplayCall[],
    private readonly opts: ReplayOptions,
  ) {
    this.idPrefix = opts.idPrefix ?? `re${Date.now().toString(36)}-`;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private handle(old: string): Slot<string | null> {
    let s = this.handles.get(old);
    if (!s) {
      s = slot();
      this.handles.set(old, s);
    }
    return s;
  }

  /** The new session's handle for an old one: waits while an accept() that makes it may still wait. */
  private async newHandle(old: string): Promise<string | null> {
    const made = this.handle(old).promise;
    return new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), HANDLE_WAIT_MS);
      void made.then((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  }

  /** Resolves what the new session calls things; null when a socket this call needs was not made. */
  private async mapArgs(call: ReplayCall): Promise<Record<string, unknown> | null> {
    const args = { ...call.args };
    if (typeof args.sock === 'string') {
      const now = await this.newHandle(args.sock);
      if (now === null) return null;
      args.sock = now;
    }
    // poll names its sockets inside a list, each with its events.
    if (Array.isArray(args.socks)) {
      const socks: unknown[] = [];
      for (const entry of args.socks) {
        if (entry === null || typeof entry !== 'object' || !('sock' in entry) || typeof entry.sock !== 'string') return null;
        const now = await this.newHandle(entry.sock);
        if (now === null) return null;
        socks.push({ ...entry, sock: now });
      }
      args.socks = socks;
    }
    if (PORT_ARGS.has(call.op) && typeof args.port === 'number' && this.ports.has(args.port)) args.port = this.ports.get(args.port);
    return args;
  }

  /** Records what this call's answer makes known: a new handle, a port the lab picked. */
  private learn(call: ReplayCall, answer: Answer): void {
    const rec = call.recordedResult ?? {};
    if ((answer.op === 'socket' || answer.op === 'accept') && typeof rec.sock === 'string') {
      this.handle(rec.sock).resolve(answer.reply.ok ? answer.reply.result.sock : null);
    }
    if (answer.op === 'bind' && answer.reply.ok && typeof rec.port === 'number') {
      const now = answer.reply.result.port;
      if (now !== rec.port) this.ports.set(rec.port, now);
    }
  }

  /** Sends one call; resolves with its answer, or 'blocked' as soon as the server says it waits. */
  private async send(call: ReplayCall, args: Record<string, unknown>): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const id = `${this.idPrefix}${this.nextId++}`;
      let off = () => {};
      const blocked = new Promise<'blocked'>((resolve) => {
        off = this.client.on((e) => {
          if (e.event === 'step' && e.id === id && e.status === 'blocked') resolve('blocked');
        });
      });
      // The arguments were rewritten for this session, so they are checked against the op again.
      const checked = checkedCommand(call.op, args, id);
      if (!checked.ok) {
        off();
        return checked.error.code;
      }
      const reply = ask(this.client, checked.command).then((a) => {
        off();
        return a;
      });
      const first = await Promise.race([blocked, reply]);
      if (first === 'blocked') {
        off();
        // It finishes when the kernel is ready; what it makes is learned then.
        void reply.then((a) => this.learn(call, a));
        return 'blocked';
      }
      // Over the lab's rate: refused before any system call, so trying again is safe.
      if (!first.reply.ok && first.reply.error.code === 'E_LIMIT' && attempt < 5) {
        await this.sleep(1000);
        continue;
      }
      this.learn(call, first);
      return replyOutcome(first.reply);
    }
  }

  async run(): Promise<ReplayedCall[]> {
    const spacing = Math.ceil(1000 / Math.max(1, this.opts.callsPerSecond)) + 5;
    const done: ReplayedCall[] = [];
    for (const call of this.calls) {
      if (this.opts.signal?.aborted) break;
      const args = await this.mapArgs(call);
      if (args === null) {
        if (HANDLE_MAKERS.has(call.op) && typeof call.recordedResult?.sock === 'string') this.handle(call.recordedResult.sock).resolve(null);
        done.push({ seq: call.seq, op: call.op, recorded: call.recorded, actual: 'skipped', note: `${call.op === 'poll' ? 'a polled socket' : String(call.args.sock)} was not made this time` });
      } else {
        done.push({ seq: call.seq, op: call.op, recorded: call.recorded, actual: await this.send(call, args) });
        await this.sleep(spacing);
      }
      this.opts.onProgress?.(done.length, this.calls.length);
    }
    return done;
  }
}

/** The replayed calls whose answer differs from the recording (a blocked call that had finished counts as the same). */
export function differences(calls: readonly ReplayedCall[]): ReplayedCall[] {
  return calls.filter((c) => c.actual !== c.recorded && c.actual !== 'blocked');
}
