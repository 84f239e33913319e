/**
 * The first thing a /lab frame meets, before JSON parsing or schema checks: a per-connection token
 * bucket. A flooding client then costs the server a few microseconds a frame, not a parse, a
 * validation and a dispatch each, so other sessions keep their round trips. Frames beyond the
 * bucket get an E_LIMIT reply (carrying the command's id when the frame starts with one). Refusals
 * draw on a second bucket of the same size: a client that keeps sending far faster than allowed
 * (a flood, not a burst) empties it and is closed (1008, E_LIMIT).
 *
 * The bucket is wider than the session's own allowances (commands, and kernel-view reads), so a
 * client that respects those never meets it; it only meets the calls those allowances refuse.
 */
import type { CommandId } from '../protocol/index.ts';
import { TokenBucket } from './rate-limit.ts';

export type Verdict = 'pass' | 'refuse' | 'close';

/** A frame this large costs as many tokens as this many small ones (a big send is parsed too). */
const BYTES_PER_TOKEN = 64 * 1024;

export class FrameGate {
  private readonly frames: TokenBucket;
  private readonly refusals: TokenBucket;

  /**
   * `rate` frames per second on average, `burst` at once; as many refusals, then 'close'.
   * `initial`: frames allowed at once to begin with (default `burst`).
   */
  constructor(rate: number, burst: number, now?: () => number, initial = burst) {
    this.frames = new TokenBucket(rate, burst, now, initial);
    this.refusals = new TokenBucket(rate, burst, now);
  }

  /**
   * The gate for a session allowed `commandsPerSecond` calls and its own kernel-view reads.
   * `reconnected`: its address was just closed for flooding, so it starts with a second's worth of
   * calls instead of the full burst (reconnecting is no way around the gate; a classroom behind
   * one NAT address still gets going at once).
   */
  static forSession(commandsPerSecond: number, reconnected = false): FrameGate {
    const kernelRate = Math.max(10, commandsPerSecond);
    const rate = 2 * (commandsPerSecond + kernelRate);
    return new FrameGate(rate, 2 * rate, undefined, reconnected ? commandsPerSecond : 2 * rate);
  }

  admit(frameBytes: number): Verdict {
    const cost = 1 + Math.floor(frameBytes / BYTES_PER_TOKEN);
    if (this.frames.take(cost)) return 'pass';
    return this.refusals.take() ? 'refuse' : 'close';
  }
}

/** The id of a command frame that starts with it (`{"id":7,...`), found without parsing the frame. */
export function leadingId(data: Buffer): CommandId | null {
  const m = /^\s*\{\s*"id"\s*:\s*(-?\d{1,15}|"[A-Za-z0-9_.:-]{0,64}")\s*[,}]/.exec(data.toString('latin1', 0, 96));
  return m ? (JSON.parse(m[1]) as CommandId) : null;
}
