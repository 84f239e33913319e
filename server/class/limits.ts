/**
 * The class's limits per client address: how many /class connections one address may hold, how
 * many of them may be anonymous (not yet a student or the instructor), how many students may join
 * from it, and a bucket of wrong join codes. A classroom behind one NAT is one address, so each
 * limit is sized for a whole class there; the guesser is slowed, never the room locked out
 * (docs/hosting.md, "What an instructor can rely on").
 */
import ipaddr from 'ipaddr.js';

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
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
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
/** While an address is slowed, each of its join attempts waits this long before it is checked. */
export const SLOWED_JOIN_DELAY_MS = 2000;
/** Wrong codes one connection may send; then it is closed. */
export const WRONG_CODES_PER_CONNECTION = 5;
/** Connections from one address that are neither a student nor the instructor yet. */
export const ANONYMOUS_PER_ADDRESS = 32;

interface AddressState {
  open: number;
  anonymous: number;
  joins: number;
  wrong: TokenBucket;
}

export type Admission = { ok: true } | { ok: false; message: string };

export class AddressLimits {
  private readonly byKey = new Map<string, AddressState>();
  /** Open /class connections per address: every student's tabs and the instructor's. */
  readonly connectionsPerAddress: number;

  constructor(readonly joinsPerAddress: number) {
    this.connectionsPerAddress = Math.max(64, 4 * joinsPerAddress);
  }

  private state(key: string): AddressState {
    let s = this.byKey.get(key);
    if (!s) {
      s = { open: 0, anonymous: 0, joins: 0, wrong: new TokenBucket(WRONG_CODES_BURST, WRONG_CODES_PER_SECOND) };
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

  wrongCode(key: string, now = Date.now()): void {
    this.state(key).wrong.take(now);
  }

  /** True while the address has used up its wrong codes: its join attempts wait first. */
  slowed(key: string, now = Date.now()): boolean {
    return this.byKey.get(key)?.wrong.empty(now) ?? false;
  }

  /** Drops what no longer matters (no connections, no students, wrong codes forgiven). */
  sweep(now = Date.now()): void {
    for (const [key, s] of this.byKey) this.forgetIfIdle(key, s, now);
  }

  private forgetIfIdle(key: string, s: AddressState, now = Date.now()): void {
    if (s.open === 0 && s.joins === 0 && s.wrong.full(now)) this.byKey.delete(key);
  }
}
