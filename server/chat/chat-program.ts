/**
 * The capstone's chat server, run as a program inside a lab session: every accept(), recv() and
 * send() it makes is a real lab call with a step event, like the learner's own. It serves the line
 * protocol of chat-room.ts to browsers and terminals alike, and copes with bad peers: over-long
 * lines, invalid UTF-8, floods, silent clients and clients too slow to read (each is told, or
 * dropped with a reason) without stalling anyone else.
 */
import type { Command, Reply } from '../protocol/index.ts';
import type { LabSession } from '../lab/session.ts';
import { ChatRoom, type RoomResult } from './chat-room.ts';
import { decodeUtf8, LineBuffer } from './line-buffer.ts';

export interface ChatOptions {
  /** Step events for every call ('steps'), or one stats event per second ('summary', for big rooms). */
  log: 'steps' | 'summary';
  /** Drop a client that sends nothing for this long. */
  idleSeconds: number;
  /** Unsent output beyond this and the client is dropped as too slow. */
  maxQueuedBytes: number;
  /** More lines than this within FLOOD_WINDOW_MS and the client is dropped. */
  floodLines: number;
}

export const DEFAULT_CHAT_OPTIONS: ChatOptions = { log: 'steps', idleSeconds: 600, maxQueuedBytes: 64 * 1024, floodLines: 50 };
const FLOOD_WINDOW_MS = 5000;
const SEND_CHUNK = 16 * 1024;

interface Member {
  id: number;
  handle: string;
  lines: LineBuffer;
  queue: Buffer[];
  queued: number;
  writing: boolean;
  lastHeard: number;
  recent: number[];
  warned: boolean;
  /** Out of the room: no more reading, nothing new is queued. */
  leaving: boolean;
  /** Its socket is closed (or closing). */
  gone: boolean;
  /** Close once the queued output is sent (a member who typed /quit gets its "* bye"). */
  closeWhenDrained: boolean;
}

export interface ChatStats {
  clients: number;
  accepts: number;
  linesIn: number;
  linesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export class ChatProgram {
  readonly room = new ChatRoom();
  readonly stats: ChatStats = { clients: 0, accepts: 0, linesIn: 0, linesOut: 0, bytesIn: 0, bytesOut: 0 };
  private readonly members = new Map<number, Member>();
  private nextMember = 1;
  private nextCall = 1;
  private running = true;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly session: LabSession,
    readonly listener: string,
    readonly options: ChatOptions,
    private readonly onEvent: (kind: 'joined' | 'left' | 'stats' | 'stopped', detail: Record<string, unknown>) => void,
  ) {
    this.timers.push(setInterval(() => this.dropIdle(), Math.min(5000, options.idleSeconds * 250)));
    if (options.log === 'summary') this.timers.push(setInterval(() => this.onEvent('stats', { ...this.stats }), 1000));
    for (const t of this.timers) t.unref();
    void this.acceptLoop();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private call(op: Command['op'], args: Record<string, unknown>): Promise<Reply> {
    const cmd = { id: `chat-${this.nextCall++}`, op, args } as Command;
    return this.session.execute(cmd, { internal: true, quiet: this.options.log === 'summary' });
  }

  private async acceptLoop(): Promise<void> {
    while (this.running) {
      const r = await this.call('accept', { sock: this.listener });
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
        handle: String(r.result.sock),
        lines: new LineBuffer(),
        queue: [],
        queued: 0,
        writing: false,
        lastHeard: Date.now(),
        recent: [],
        warned: false,
        leaving: false,
        gone: false,
        closeWhenDrained: false,
      };
      this.members.set(member.id, member);
      this.stats.clients = this.members.size;
      this.apply(this.room.join(member.id));
      this.onEvent('joined', { sock: member.handle, nick: this.room.nick(member.id) });
      void this.readLoop(member);
    }
    this.stop();
  }

  private async readLoop(m: Member): Promise<void> {
    while (!m.leaving) {
      const r = await this.call('recv', { sock: m.handle, max: 8192 });
      if (m.leaving) return;
      if (!r.ok) return this.drop(m, r.error.code === 'ECONNRESET' ? 'connection reset' : r.error.code.toLowerCase());
      if ('eof' in r.result) return this.drop(m, '');
      const bytes = Buffer.from(String(r.result.base64), 'base64');
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

  /** Counts lines in a sliding window; warns once, then drops. */
  private flooding(m: Member): boolean {
    const now = Date.now();
    m.recent.push(now);
    while (m.recent.length && now - m.recent[0] > FLOOD_WINDOW_MS) m.recent.shift();
    if (m.recent.length > this.options.floodLines) return true;
    if (m.recent.length > this.options.floodLines / 2 && !m.warned) {
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
        const r = await this.call('send', { sock: m.handle, data: chunk.toString('base64'), encoding: 'base64' });
        if (m.gone) return;
        if (!r.ok) return this.drop(m, r.error.code.toLowerCase());
        const sent = Number(r.result.bytes);
        this.stats.bytesOut += sent;
        const rest = Buffer.concat(m.queue).subarray(sent);
        m.queue = rest.length ? [rest] : [];
        m.queued = rest.length;
      }
    } finally {
      m.writing = false;
      if (m.closeWhenDrained && !m.gone) this.close(m);
    }
  }

  private close(m: Member): void {
    m.gone = true;
    void this.call('close', { sock: m.handle });
  }

  /** Removes a member: tells the others (reason null: it quit on its own), then closes its socket. */
  private drop(m: Member, reason: string | null): void {
    if (m.leaving) return;
    m.leaving = true;
    const nick = this.room.nick(m.id);
    this.members.delete(m.id);
    this.stats.clients = this.members.size;
    this.apply(this.room.leave(m.id, reason ?? undefined));
    if (reason === null && (m.writing || m.queue.length)) {
      m.closeWhenDrained = true;
      if (!m.writing) void this.writeLoop(m);
    } else this.close(m);
    this.onEvent('left', { sock: m.handle, nick, reason: reason ?? 'quit' });
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
    void this.call('close', { sock: this.listener });
    this.onEvent('stopped', { ...this.stats });
  }
}
