/**
 * The capstone's chat server, a program on the lab's seam (server/lab/program.ts): every accept(),
 * recv() and send() it makes is a real lab call with a step event, like the learner's own. It serves
 * the line protocol of chat-room.ts to browsers and terminals alike, and copes with bad peers:
 * over-long lines, invalid UTF-8, floods, silent clients and clients too slow to read (each is told,
 * or dropped with a reason) without stalling anyone else.
 */
import type { LabProgram, ProgramHost, RunningProgram } from '../lab/program.ts';
import { TokenBucket } from '../lab/rate-limit.ts';
import type { ArgsOf, ChatStats } from '../protocol/index.ts';
import { ChatRoom, type RoomResult } from './chat-room.ts';
import { decodeUtf8, LineBuffer } from './line-buffer.ts';

export type { ChatStats } from '../protocol/index.ts';

export interface ChatOptions {
  /** Step events for every call ('steps'), or one stats event per second ('summary', for big rooms). */
  log: 'steps' | 'summary';
  /** Drop a client that sends nothing for this long. */
  idleSeconds: number;
  /** Unsent output beyond this and the client is dropped as too slow. */
  maxQueuedBytes: number;
  /** More lines than this in a burst (refilled at this many per FLOOD_WINDOW_MS) and the client is dropped. */
  floodLines: number;
}

export const DEFAULT_CHAT_OPTIONS: ChatOptions = { log: 'steps', idleSeconds: 600, maxQueuedBytes: 64 * 1024, floodLines: 50 };
const FLOOD_WINDOW_MS = 5000;
const SEND_CHUNK = 16 * 1024;
/** After /quit: how long the server reads on, waiting for the client's FIN, before it closes anyway. */
const DRAIN_MS = 3000;
/** After /quit: how much the server reads and discards, at most, before it closes anyway. */
const DRAIN_BYTES = 1024 * 1024;

/** The chat as a program the lab can run: `maxClients` is the allowance of clients beyond the learner's cap. */
export function chatProgram(maxClients: number): LabProgram {
  return {
    maxClients,
    start: (host, args) => new ChatProgram(host, chatOptions(args)),
  };
}

/** The chat's options from the learner's `run` arguments. */
export function chatOptions(args: ArgsOf<'run'>): ChatOptions {
  return {
    ...DEFAULT_CHAT_OPTIONS,
    log: args.log ?? DEFAULT_CHAT_OPTIONS.log,
    idleSeconds: args.idleSeconds ?? DEFAULT_CHAT_OPTIONS.idleSeconds,
    floodLines: args.floodLines ?? DEFAULT_CHAT_OPTIONS.floodLines,
  };
}

interface Member {
  id: number;
  handle: string;
  lines: LineBuffer;
  queue: Buffer[];
  queued: number;
  writing: boolean;
  lastHeard: number;
  /** Lines it may still send before it is flooding: a bucket of floodLines, refilled over FLOOD_WINDOW_MS. */
  lineAllowance: TokenBucket;
  warned: boolean;
  /** Out of the room: no more reading, nothing new is queued. */
  leaving: boolean;
  /** Nothing more is written to it: its write side is shut down, or its socket closed. */
  gone: boolean;
  /** Its close() has been called. */
  closed: boolean;
  /** Half-close once the queued output is sent (a member who typed /quit gets its "* bye"). */
  closeWhenDrained: boolean;
}

export class ChatProgram implements RunningProgram {
  readonly room = new ChatRoom();
  readonly stats: ChatStats = { clients: 0, accepts: 0, linesIn: 0, linesOut: 0, bytesIn: 0, bytesOut: 0 };
  private readonly members = new Map<number, Member>();
  private nextMember = 1;
  private running = true;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Every call is quiet in 'summary' mode: one stats event a second instead of a step a call. */
  private readonly callOptions: { quiet: boolean };

  constructor(
    private readonly host: ProgramHost,
    readonly options: ChatOptions,
  ) {
    this.callOptions = { quiet: options.log === 'summary' };
    this.timers.push(setInterval(() => this.dropIdle(), Math.min(5000, options.idleSeconds * 250)));
    if (options.log === 'summary') this.timers.push(setInterval(() => this.host.report({ kind: 'stats', stats: { ...this.stats } }), 1000));
    for (const t of this.timers) t.unref();
    void this.acceptLoop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private async acceptLoop(): Promise<void> {
    while (this.running) {
      const r = await this.host.call('accept', { sock: this.host.listener }, this.callOptions);
      if (!r.ok) {
        if (r.error.code === 'E_LIMIT' || r.error.code === 'EMFILE' || r.error.code === 'ENFILE') {
          await new Promise((res) => setTimeout(res, 200)); // full: try again once someone leaves
          continue;
        }
        break; // the listener was closed (E_CANCELLED, E_NO_SOCKET) or the session ended
      }
      this.stats.accepts++;
      const member: Member = {
        id: this.nextMember++,
        handle: r.result.sock,
        lines: new LineBuffer(),
        queue: [],
        queued: 0,
        writing: false,
        lastHeard: Date.now(),
        lineAllowance: new TokenBucket((this.options.floodLines * 1000) / FLOOD_WINDOW_MS, this.options.floodLines),
        warned: false,
        leaving: false,
        gone: false,
        closed: false,
        closeWhenDrained: false,
      };
      this.members.set(member.id, member);
      this.stats.clients = this.members.size;
      this.apply(this.room.join(member.id));
      this.host.report({ kind: 'joined', sock: member.handle, nick: this.room.nick(member.id) });
      void this.readLoop(member);
    }
    this.stop();
  }

  private async readLoop(m: Member): Promise<void> {
    while (!m.leaving) {
      const r = await this.host.call('recv', { sock: m.handle, max: 8192 }, this.callOptions);
      if (m.leaving) return;
      if (!r.ok) return this.drop(m, r.error.code === 'ECONNRESET' ? 'connection reset' : r.error.code.toLowerCase());
      if ('eof' in r.result) return this.drop(m, '');
      const bytes = Buffer.from(r.result.base64, 'base64');
      m.lastHeard = Date.now();
      this.stats.bytesIn += bytes.length;
      for (const ev of m.lines.push(bytes)) {
        if (m.leaving) return;
        if (ev.kind === 'too-long') {
          this.send(m, '! line too long (max 4096 bytes)');
          continue;
        }
        if (this.flooding(m)) return this.drop(m, 'flooding');
        const text = decodeUtf8(ev.bytes);
        if (text === null) {
          this.send(m, '! not UTF-8 text, line dropped');
          continue;
        }
        this.stats.linesIn++;
        const result = this.room.line(m.id, text);
        this.apply(result);
        if (result.close) return this.drop(m, null);
      }
    }
  }

  /** Takes one line from the member's allowance; warns once when half is spent, drops when none is left. */
  private flooding(m: Member): boolean {
    if (!m.lineAllowance.take()) return true;
    if (m.lineAllowance.available() < this.options.floodLines / 2 && !m.warned) {
      m.warned = true;
      this.send(m, '! slow down: too many lines');
    }
    return false;
  }

  private apply(result: RoomResult): void {
    for (const d of result.deliveries) {
      for (const id of this.room.targets(d)) {
        const m = this.members.get(id);
        if (m) this.send(m, d.line);
      }
    }
  }

  private send(m: Member, line: string): void {
    if (m.leaving) return;
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    m.queue.push(bytes);
    m.queued += bytes.length;
    this.stats.linesOut++;
    if (m.queued > this.options.maxQueuedBytes) {
      this.drop(m, 'too slow');
      return;
    }
    if (!m.writing) void this.writeLoop(m);
  }

  private async writeLoop(m: Member): Promise<void> {
    m.writing = true;
    try {
      while (!m.gone && m.queue.length) {
        const all = Buffer.concat(m.queue);
        const chunk = all.subarray(0, SEND_CHUNK);
        const r = await this.host.call('send', { sock: m.handle, data: chunk.toString('base64'), encoding: 'base64' }, this.callOptions);
        if (m.gone) return;
        if (!r.ok) return this.drop(m, r.error.code.toLowerCase());
        const sent = r.result.bytes;
        this.stats.bytesOut += sent;
        const rest = Buffer.concat(m.queue).subarray(sent);
        m.queue = rest.length ? [rest] : [];
        m.queued = rest.length;
      }
    } finally {
      m.writing = false;
      if (m.closeWhenDrained && !m.gone) void this.closePolitely(m);
    }
  }

  private close(m: Member): void {
    m.gone = true;
    if (m.closed) return;
    m.closed = true;
    void this.host.call('close', { sock: m.handle }, this.callOptions);
  }

  /**
   * After /quit: shuts down the write side once "* bye" is out (the client reads it, then EOF), reads
   * and discards what the client still sends until its FIN, and only then closes. A close() with
   * received bytes unread would send a reset instead of a FIN and could throw away the "* bye"
   * (RFC 2525 §2.17). A client that never closes its side is closed after DRAIN_MS anyway.
   */
  private async closePolitely(m: Member): Promise<void> {
    m.gone = true;
    const shut = await this.host.call('shutdown', { sock: m.handle, how: 'write' }, this.callOptions);
    if (shut.ok) {
      const timer = setTimeout(() => this.close(m), DRAIN_MS); // cancels the recv below
      timer.unref();
      let drained = 0;
      while (!m.closed && drained <= DRAIN_BYTES) {
        const r = await this.host.call('recv', { sock: m.handle, max: 65536 }, this.callOptions);
        if (!r.ok || 'eof' in r.result) break;
        drained += r.result.bytes;
      }
      clearTimeout(timer);
    }
    this.close(m);
  }

  /** Removes a member: tells the others (reason null: it quit on its own), then closes its socket. */
  private drop(m: Member, reason: string | null): void {
    if (m.leaving) return;
    m.leaving = true;
    const nick = this.room.nick(m.id);
    this.members.delete(m.id);
    this.stats.clients = this.members.size;
    this.apply(this.room.leave(m.id, reason ?? undefined));
    if (reason === null) {
      m.closeWhenDrained = true;
      if (!m.writing) void (m.queue.length ? this.writeLoop(m) : this.closePolitely(m));
    } else this.close(m);
    this.host.report({ kind: 'left', sock: m.handle, nick, reason: reason ?? 'quit' });
  }

  private dropIdle(): void {
    const limit = Date.now() - this.options.idleSeconds * 1000;
    for (const m of this.members.values()) if (m.lastHeard < limit) this.drop(m, 'idle');
  }

  /** Stops accepting and closes every client. Idempotent. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    for (const m of [...this.members.values()]) this.drop(m, 'server stopped');
    void this.host.call('close', { sock: this.host.listener }, this.callOptions);
    this.host.report({ kind: 'stopped', stats: { ...this.stats } });
  }
}
