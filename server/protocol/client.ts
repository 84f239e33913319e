/**
 * A typed client for the lab protocol over any WebSocket with the browser's API (the browser's own,
 * or `ws` in Node). Every message from the server is validated against the protocol schemas before
 * use; a message that does not match is reported, never trusted.
 */
import type * as z from 'zod/mini';
import {
  OpResults,
  ServerMessageSchema,
  isReply,
  type ArgsOf,
  type CommandId,
  type Hello,
  type LabError,
  type Op,
  type ResultOf,
  type ServerEvent,
  type WireReply,
} from './index.ts';

/** The subset of the WebSocket API the client needs (browser WebSocket and `ws` both have it). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: { data?: unknown; code?: number; reason?: string }) => void): void;
}

export type CallResult<O extends Op> = { ok: true; result: ResultOf<O> } | { ok: false; error: LabError };

export type ClientEvent =
  | ServerEvent
  | { event: 'closed'; code: number; reason: string }
  | { event: 'invalid'; raw: string; problem: string }
  | { event: 'orphan-reply'; reply: WireReply };

const OPEN = 1;

export class LabClient {
  readonly hello: Promise<Hello>;
  private readonly pending = new Map<CommandId, (r: WireReply) => void>();
  private readonly listeners = new Set<(e: ClientEvent) => void>();
  private nextId = 1;
  private closedInfo: { code: number; reason: string } | null = null;

  constructor(private readonly ws: SocketLike) {
    let resolveHello!: (h: Hello) => void;
    let rejectHello!: (e: Error) => void;
    this.hello = new Promise((res, rej) => {
      resolveHello = res;
      rejectHello = rej;
    });
    this.hello.catch(() => {});
    let gotHello = false;

    ws.addEventListener('message', (ev) => {
      const raw = typeof ev.data === 'string' ? ev.data : String(ev.data);
      let parsed;
      try {
        parsed = ServerMessageSchema.safeParse(JSON.parse(raw));
      } catch {
        this.emit({ event: 'invalid', raw: raw.slice(0, 200), problem: 'not JSON' });
        return;
      }
      if (!parsed.success) {
        this.emit({ event: 'invalid', raw: raw.slice(0, 200), problem: parsed.error.issues[0]?.message ?? 'schema' });
        return;
      }
      const msg = parsed.data;
      if (isReply(msg)) {
        const waiter = msg.id === null ? undefined : this.pending.get(msg.id);
        if (waiter) {
          this.pending.delete(msg.id!);
          waiter(msg);
        } else {
          this.emit({ event: 'orphan-reply', reply: msg });
          if (!gotHello && !msg.ok) rejectHello(new Error(`${msg.error.code}: ${msg.error.message}`));
        }
        return;
      }
      if (msg.event === 'hello') {
        gotHello = true;
        resolveHello(msg);
      }
      this.emit(msg);
    });
    ws.addEventListener('close', (ev) => {
      this.closedInfo = { code: ev.code ?? 1006, reason: ev.reason ?? '' };
      if (!gotHello) rejectHello(new Error(`closed before hello (${this.closedInfo.code} ${this.closedInfo.reason})`));
      const error: LabError = { code: 'E_CANCELLED', message: 'The connection to the lab closed.' };
      for (const [id, waiter] of this.pending) waiter({ id, ok: false, error });
      this.pending.clear();
      this.emit({ event: 'closed', ...this.closedInfo });
    });
  }

  get closed(): boolean {
    return this.closedInfo !== null;
  }

  on(listener: (e: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ClientEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Sends one command; resolves with its reply (also when the call blocks first and completes later). */
  call<O extends Op>(op: O, args: ArgsOf<O>, id: CommandId = this.nextId++): Promise<CallResult<O>> {
    if (this.closedInfo || this.ws.readyState !== OPEN) {
      return Promise.resolve({ ok: false, error: { code: 'E_CANCELLED', message: 'Not connected to the lab.' } });
    }
    return new Promise((resolve) => {
      this.pending.set(id, (r) => resolve(this.checked(op, r)));
      this.ws.send(JSON.stringify({ id, op, args }));
    });
  }

  /** A reply checked against its op's result schema: a result that does not match is reported, never trusted. */
  private checked<O extends Op>(op: O, reply: WireReply): CallResult<O> {
    if (!reply.ok) return { ok: false, error: reply.error };
    const schema: z.ZodMiniType<ResultOf<O>> = OpResults[op];
    const parsed = schema.safeParse(reply.result);
    if (parsed.success) return { ok: true, result: parsed.data };
    const problem = parsed.error.issues[0]?.message ?? 'schema';
    this.emit({ event: 'invalid', raw: JSON.stringify(reply).slice(0, 200), problem: `a ${op} result: ${problem}` });
    return { ok: false, error: { code: 'E_INTERNAL', message: `The lab's ${op} result did not match the protocol (${problem}).` } };
  }

  close(): void {
    this.ws.close(1000, 'bye');
  }
}
