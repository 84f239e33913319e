/**
 * The class's limits per client address: how many /class connections one address may hold, how
 * many of them may be anonymous (not yet a student or the instructor), how many students may join
 * from it, and how many wrong join codes it may send. A classroom behind one NAT is one address, so
 * each limit is sized for a whole class there; the guesser is slowed, never the room locked out
 * (docs/hosting.md, "What an instructor can rely on").
 *
 * Wrong codes: an address has an allowance (20 at once, one more every 6 s). Once it is used up,
 * the address is "slowed": every further wrong code holds one of a few penalty places for 2 s, and
 * while all are held, joins from the address are refused before their code is checked. A right
 * code is never delayed: a class behind one NAT gets in at once after one student's typo streak,
 * and a guesser gets at most 5 codes a second checked.
 */
import ipaddr from 'ipaddr.js';
import type { ClassBus } from './class-bus.ts';
import type { WrongCodeLimit } from './class-store.ts';

/** Tokens refill continuously up to the capacity; each `take` spends one. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly capacity: number,
    readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    // A clock that steps back (NTP) refills nothing, rather than draining the bucket.
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.perSecond);
  }

  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  empty(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens < 1;
  }

  full(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

/**
 * One key per client: an IPv4 address, or an IPv6 /64 (one household or one classroom network gets
 * a whole /64, so counting single IPv6 addresses would let anyone take a fresh one per attempt).
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const a = ipaddr.process(address);
  if (a.kind() === 'ipv4') return a.toString();
  const parts = (a as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/** Wrong join codes one address may send at once, before it is slowed. */
export const WRONG_CODES_BURST = 20;
/** ...and how fast that allowance comes back: one wrong code every six seconds. */
export const WRONG_CODES_PER_SECOND = 1 / 6;
/** While an address is slowed, each wrong code holds a penalty place this long... */
export const PENALTY_MS = 2000;
/** ...and this many places per address: at most 5 wrong codes a second are checked. */
export const PENALTY_PLACES = 10;
/**
 * With several instances (class-bus.ts), the wrong codes from one address in the current and the
 * previous one-minute window, counted in Redis across all of them: about one instance's allowance
 * (burst and refill), not one per instance.
 */
export const SHARED_WRONG_CODES_PER_WINDOW = WRONG_CODES_BURST + Math.round(60 * WRONG_CODES_PER_SECOND);
/** Wrong codes one connection may send; then it is closed. */
export const WRONG_CODES_PER_CONNECTION = 5;
/** Connections from one address that are neither a student nor the instructor yet. */
export const ANONYMOUS_PER_ADDRESS = 32;

interface AddressState {
  open: number;
  anonymous: number;
  joins: number;
  wrong: TokenBucket;
  /** When each held penalty place frees up. */
  penalties: number[];
}

export type Admission = { ok: true } | { ok: false; message: string };

export class AddressLimits {
  private readonly byKey = new Map<string, AddressState>();
  /** Open /class connections per address: every student's tabs and the instructor's. */
  readonly connectionsPerAddress: number;

  constructor(readonly joinsPerAddress: number) {
    this.connectionsPerAddress = Math.max(64, 4 * joinsPerAddress);
  }

  private state(key: string, now = Date.now()): AddressState {
    let s = this.byKey.get(key);
    if (!s) {
      s = { open: 0, anonymous: 0, joins: 0, wrong: new TokenBucket(WRONG_CODES_BURST, WRONG_CODES_PER_SECOND, now), penalties: [] };
      this.byKey.set(key, s);
    }
    return s;
  }

  /** A new connection from `key`: counted, or refused with the reason. */
  admit(key: string): Admission {
    const s = this.state(key);
    if (s.open >= this.connectionsPerAddress) {
      return { ok: false, message: `This address already holds ${s.open} class connections; close some tabs.` };
    }
    if (s.anonymous >= ANONYMOUS_PER_ADDRESS) {
      return { ok: false, message: 'Too many connections from this address are joining at once; try again in a moment.' };
    }
    s.open++;
    s.anonymous++;
    return { ok: true };
  }

  /** The connection became a student or the instructor. */
  identified(key: string): void {
    this.state(key).anonymous--;
  }

  closed(key: string, wasAnonymous: boolean): void {
    const s = this.state(key);
    s.open--;
    if (wasAnonymous) s.anonymous--;
    this.forgetIfIdle(key, s);
  }

  mayJoin(key: string): boolean {
    return this.state(key).joins < this.joinsPerAddress;
  }

  joined(key: string): void {
    this.state(key).joins++;
  }

  /** A join counted by `joined` did not happen after all (the nickname was taken, the store failed). */
  unjoined(key: string): void {
    const s = this.state(key);
    s.joins = Math.max(0, s.joins - 1);
    this.forgetIfIdle(key, s);
  }

  /** A wrong code from the address: it spends the allowance, or (slowed) holds a penalty place. */
  wrongCode(key: string, now = Date.now()): void {
    const s = this.state(key, now);
    if (!s.wrong.take(now)) s.penalties.push(now + PENALTY_MS);
  }

  /**
   * True when the address may not have a code checked now: it is slowed and every penalty place is
   * held. Asked before the code is compared, so a refused attempt teaches a guesser nothing.
   */
  mustWait(key: string, now = Date.now()): boolean {
    const s = this.byKey.get(key);
    if (!s || !s.wrong.empty(now)) return false;
    s.penalties = s.penalties.filter((t) => t > now);
    return s.penalties.length >= PENALTY_PLACES;
  }

  /** Drops what no longer matters (no connections, no students, wrong codes forgiven). */
  sweep(now = Date.now()): void {
    for (const [key, s] of this.byKey) this.forgetIfIdle(key, s, now);
  }

  private forgetIfIdle(key: string, s: AddressState, now = Date.now()): void {
    if (s.open === 0 && s.joins === 0 && s.wrong.full(now) && s.penalties.every((t) => t <= now)) this.byKey.delete(key);
  }
}

/**
 * The wrong-code limit of several instances (class-bus.ts): this instance's own, and the count of
 * wrong codes from the address in Redis across all of them. Redis unreachable: the own limit still holds.
 */
export function sharedWrongCodeLimit(local: WrongCodeLimit, shared: Pick<ClassBus, 'wrongCode' | 'wrongCodes'>): WrongCodeLimit {
  return {
    mustWait: async (key, now) => {
      if (await local.mustWait(key, now)) return true;
      const n = await shared.wrongCodes(key);
      return n !== null && n >= SHARED_WRONG_CODES_PER_WINDOW;
    },
    wrongCode: async (key, now) => {
      await local.wrongCode(key, now);
      await shared.wrongCode(key);
    },
  };
}

/** The wrong-code limit of one instance, kept in its AddressLimits (the default without a shared one). */
export function localWrongCodeLimit(limits: AddressLimits): WrongCodeLimit {
  return {
    mustWait: async (key, now) => limits.mustWait(key, now),
    wrongCode: async (key, now) => limits.wrongCode(key, now),
  };
}
