/**
 * One class chat for the whole class, however many instances serve it (issue 21). The chat is a
 * real TCP server (class-chat.ts) on one instance: the one holding the class's `chat` lease on the
 * bus (Redis `SET … PX`, renewed every second by its holder, class-bus.ts). The lease carries the
 * chat's address and port, so every other instance reads where it is and shows that one address.
 * When the holder dies its lease runs out within LEASE_MS and the next instance to find it free
 * twice in a row (a second apart) takes it and starts the chat itself (at its own address: the learners' pages are told the new one).
 *
 * With the bus in-process (no `--redis`) this instance is the whole class and starts the chat at
 * once, as before. While Redis is down the holder keeps its chat running and the others keep the
 * address they last read; if another took the lease meanwhile, the holder gives its chat up, so
 * the class never has two.
 */
import type { ClassBus } from './class-bus.ts';
import type { ClassChat } from './class-chat.ts';

export interface ChatAddress {
  address: string;
  port: number;
}

const LEASE = 'chat';
/** How long a lease outlives its holder's last renewal: the bound on a takeover after a crash. */
export const LEASE_MS = 5000;
/** How often the holder renews, and the others look for a holder (or take the lease). */
export const RENEW_MS = 1000;

function parseAddress(value: string | undefined): ChatAddress | null {
  if (!value) return null; // taken, the chat not started yet
  try {
    const v = JSON.parse(value) as Partial<ChatAddress>;
    return typeof v.address === 'string' && Number.isInteger(v.port) ? { address: v.address, port: v.port! } : null;
  } catch {
    return null;
  }
}

const same = (a: ChatAddress | null, b: ChatAddress | null) => a?.address === b?.address && a?.port === b?.port;

export class ChatOwner {
  /** The class's chat, on this instance or another; null while there is none. */
  chat: ChatAddress | null = null;
  private mine: ClassChat | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  /** The lease was free at the last look: it is taken only when seen free twice (see step). */
  private sawFree = false;

  constructor(
    private readonly bus: ClassBus,
    private readonly startChat: () => Promise<ClassChat | null>,
    /** The chat moved, started or stopped: dashboards and the lab's connect rules follow. */
    private readonly changed: (chat: ChatAddress | null) => void,
  ) {}

  /** True when the chat runs on this instance. */
  get owned(): boolean {
    return this.mine !== null;
  }

  /** The first look (so the start-up banner knows the address), then one a second. */
  async start(): Promise<void> {
    if (!this.bus.shared) {
      this.mine = await this.startChat();
      return this.set(this.mine && { address: this.mine.address, port: this.mine.port });
    }
    // At start a free lease is taken at once (the first instance's banner shows the chat).
    this.sawFree = true;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), RENEW_MS);
    this.timer.unref();
  }

  /** Renews or takes the lease, or reads who holds it; never two at once. */
  tick(): Promise<void> {
    this.running ??= this.step()
      .catch((e: unknown) => console.error(`class: the class chat lease: ${(e as Error).message}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    if (this.mine) {
      const held = await this.bus.hold(LEASE, JSON.stringify(this.chat), LEASE_MS);
      // Held, or nobody to ask (Redis down): the chat goes on here.
      if (held !== false) return;
      // Another instance took the lease while this one could not renew it: one chat, theirs.
      this.mine.session.end('ended', 'The class chat moved to another instance.');
      this.mine = null;
      this.set(null);
    }
    const holder = await this.bus.holder(LEASE);
    if (holder) {
      this.sawFree = false;
      return this.set(parseAddress(holder.value));
    }
    // Free, or Redis down. Taken only when it was free a second ago too: after a Redis restart
    // (which forgets the lease) the holder, renewing every second, gets it back before anyone else
    // starts a second chat and makes it move.
    if (!this.bus.up || !this.sawFree) {
      this.sawFree = this.bus.up;
      return;
    }
    this.sawFree = false;
    const taken = await this.bus.hold(LEASE, '', LEASE_MS);
    if (taken) return this.startHere();
    if (taken === false) this.set(parseAddress((await this.bus.holder(LEASE))?.value));
  }

  private async startHere(): Promise<void> {
    const chat = await this.startChat();
    if (this.stopped) return chat?.session.end('shutdown', 'The server is stopping.');
    if (!chat) {
      // No free port here: another instance may have one.
      await this.bus.release(LEASE);
      return this.set(null);
    }
    this.mine = chat;
    const address = { address: chat.address, port: chat.port };
    await this.bus.hold(LEASE, JSON.stringify(address), LEASE_MS);
    this.set(address);
  }

  private set(chat: ChatAddress | null): void {
    if (same(chat, this.chat)) return;
    this.chat = chat;
    this.changed(chat);
  }

  /** The class ended or the server stops: the chat here ends and the lease is given up. */
  async stop(reason: 'ended' | 'shutdown', message: string): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    if (this.mine) {
      this.mine.session.end(reason, message);
      this.mine = null;
      await this.bus.release(LEASE);
    }
    this.set(null);
  }
}
