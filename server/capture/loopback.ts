/**
 * The loopback lab's one capture (issue 17): a single packet socket on `lo` for the whole thread
 * (each lab worker has its own, docs/architecture.md *Threads*), whatever the number of sessions capturing, its kernel filter the lab's port range. One
 * socket per session would make the kernel copy every loopback frame once per session (a previous
 * attempt doubled step p99 at 100 sessions); here each frame is copied once and sorted in user space.
 *
 * Sorting is by ownership, O(1) per frame: a session claims the ports of its own sockets, a pair
 * of ports (local, peer) for a connected socket and a single port for a listener or an unconnected
 * UDP socket. A frame goes to the owner of its port pair and to the owner of either port as a
 * single port (a listener's session sees the SYN that reaches it), never to anyone else. The
 * latest claim wins, so a port reused by another session belongs to that session from its claim.
 *
 * A frame read before its sender's claim (a connect's SYN, read in the same turn as the call that
 * made the ephemeral port) waits in a small ring (UNCLAIMED_FRAMES to twice that, UNCLAIMED_MS) for a claim that
 * names it; past that it is dropped unseen. A pair claim takes its connection's waiting frames; a
 * single-port claim only frames no session was given.
 *
 * With several lab workers, each thread's socket reads only its own slice of the range (the slice its
 * port picker binds in, server/lab/port-picker.ts) and the few ports outside it that its sessions
 * claim (a port bound by number, a connect to another worker's listener): the kernel then copies each
 * frame to one worker, not to all of them, and no worker decodes frames only to throw them away. The
 * filter is replaced when that set of outside ports changes; past MAX_EXTRA_PORTS it is the whole range.
 */
import { decodeFrame, type DecodedFrame } from '../../packets/index.ts';
import { DEFAULT_SNAPLEN, FrameBudget, openCapture, type CapturedFrame, type CaptureOptions, type CaptureResult, type PacketCapture } from './capture.ts';
import type { CaptureUnavailable } from './unavailable.ts';

/** A session's end of the shared capture. */
export interface LoopbackSink {
  deliver(frame: CapturedFrame, decoded: DecodedFrame): void;
}

export interface LoopbackCaptureOptions {
  /** The lab's port range: every loopback lab packet has a port in it (the policy sees to that). */
  ports: readonly [number, number];
  /** This thread's part of `ports` (workerSlice): the filter reads it and the claimed ports outside it. Unset: all of `ports`. */
  slice?: readonly [number, number] | null;
  snaplen?: number;
  /** How the socket is opened: openCapture, or in unit tests a source that hands over frames it made. */
  open?: (ifname: string, options: CaptureOptions) => { ok: true; capture: CaptureSource } | Extract<CaptureResult, { ok: false }>;
}

/** What the shared capture uses of its socket. */
export type CaptureSource = Pick<PacketCapture, 'close' | 'drainNow' | 'closed' | 'setFilter'>;

const UNCLAIMED_FRAMES = 256;
/** Claimed ports outside the thread's slice the filter names one by one; beyond, it reads the whole range. */
export const MAX_EXTRA_PORTS = 64;
const UNCLAIMED_MS = 2000;

interface Unclaimed {
  frame: CapturedFrame;
  /** Decoded when it first reaches a session (most frames nobody claims are never decoded). */
  decoded: DecodedFrame | null;
  a: number;
  b: number;
  at: number;
  /** Sinks it has reached already. */
  reached: LoopbackSink[];
}

/** The two ports a frame names: its own (TCP, UDP) or, for an ICMP error, those of the packet it quotes. */
export function framePorts(decoded: DecodedFrame): [number, number] | null {
  const { tcp, udp, icmp } = decoded.facts;
  const t = tcp ?? udp;
  if (t) return [t.srcPort, t.dstPort];
  const q = icmp?.quoted;
  if (q?.srcPort !== undefined && q.dstPort !== undefined) return [q.srcPort, q.dstPort];
  return null;
}

/**
 * The ports of a TCP or UDP frame read straight from its bytes (Ethernet, then IPv4 that is not a
 * later fragment, or IPv6 without extension headers): the sort needs only them, and a frame no
 * session claims is then never decoded. Null for anything else, which is decoded to find its ports
 * (an ICMP error's quoted ports, extension headers).
 */
export function rawPorts(data: Uint8Array): [number, number] | null {
  if (data.length < 14) return null;
  const type = (data[12]! << 8) | data[13]!;
  let at: number;
  let proto: number;
  if (type === 0x0800) {
    if (data.length < 34 || data[14]! >> 4 !== 4) return null;
    if (((data[20]! & 0x1f) << 8) | data[21]!) return null; // a later fragment: no ports here
    at = 14 + (data[14]! & 0x0f) * 4;
    proto = data[23]!;
  } else if (type === 0x86dd) {
    if (data[14]! >> 4 !== 6) return null;
    at = 54;
    proto = data[20]!;
  } else return null;
  if ((proto !== 6 && proto !== 17) || data.length < at + 4 || at < 34) return null;
  return [(data[at]! << 8) | data[at + 1]!, (data[at + 2]! << 8) | data[at + 3]!];
}

function pairKey(a: number, b: number): number {
  return a < b ? a * 65536 + b : b * 65536 + a;
}

export class LoopbackCapture {
  readonly #options: LoopbackCaptureOptions;
  readonly #sinks = new Set<LoopbackSink>();
  readonly #singles = new Map<number, LoopbackSink>();
  readonly #pairs = new Map<number, LoopbackSink>();
  readonly #claims = new Map<LoopbackSink, { singles: Set<number>; pairs: Set<number> }>();
  #unclaimed: Unclaimed[] = [];
  #capture: CaptureSource | null = null;
  /** Lab ports outside the slice that claims name, with how many claims name each. */
  readonly #extras = new Map<number, number>();
  /** The ports of the filter in force, as a key, so an unchanged set is not attached again. */
  #filterKey = '';
  /** A port came into #extras or left it since the filter was last made (most claims change nothing). */
  #extrasChanged = false;
  /** Sockets opened over this object's life (the tests check it stays one per thread at a time). */
  opened = 0;

  constructor(options: LoopbackCaptureOptions) {
    this.#options = options;
  }

  get open(): boolean {
    return this.#capture !== null && !this.#capture.closed;
  }

  get subscribers(): number {
    return this.#sinks.size;
  }

  /** Adds a session; opens the socket for the first. Null, or why capture cannot run. */
  subscribe(sink: LoopbackSink): CaptureUnavailable | null {
    if (!this.open) {
      const { ports, key } = this.#filterPorts();
      const result = (this.#options.open ?? openCapture)('lo', {
        filter: { match: 'ports', ports },
        snaplen: this.#options.snaplen ?? DEFAULT_SNAPLEN,
        // The per-session caps bound what is kept; this one only stops a runaway.
        budget: new FrameBudget(Number.MAX_SAFE_INTEGER),
        onFrame: (frame) => this.#sort(frame),
        onError: (_code, fatal) => {
          if (fatal) this.#capture = null;
        },
      });
      if (!result.ok) return result.unavailable;
      this.#capture = result.capture;
      this.#filterKey = key;
      this.#extrasChanged = false;
      this.opened++;
    }
    this.#sinks.add(sink);
    this.#claims.set(sink, { singles: new Set(), pairs: new Set() });
    return null;
  }

  /** Removes a session and its claims; closes the socket after the last. */
  unsubscribe(sink: LoopbackSink): void {
    const claims = this.#claims.get(sink);
    if (claims) {
      for (const p of claims.singles) if (this.#singles.get(p) === sink) this.#dropSingle(p);
      for (const k of claims.pairs) if (this.#pairs.get(k) === sink) this.#dropPair(k);
    }
    this.#claims.delete(sink);
    this.#sinks.delete(sink);
    for (const u of this.#unclaimed) u.reached = u.reached.filter((s) => s !== sink);
    if (this.#sinks.size === 0) {
      this.#capture?.close();
      this.#capture = null;
      this.#unclaimed = [];
    } else this.#refilter();
  }

  /** A listener's or an unconnected socket's port: frames to or from it are the sink's. */
  claimPort(sink: LoopbackSink, port: number): void {
    const claims = this.#claims.get(sink);
    if (!claims || port <= 0) return;
    if (this.#singles.get(port) !== sink) {
      if (!this.#singles.has(port)) this.#count(this.#outside(port, port), 1);
      this.#singles.set(port, sink);
      claims.singles.add(port);
      this.#refilter();
    }
    // Only frames nobody else was given: another session's frames never move to a new claimer.
    this.#replay(sink, (u) => u.reached.length === 0 && (u.a === port || u.b === port));
  }

  /** Gives up a single-port claim (a connect's destination, claimed only while the connect runs). */
  releasePort(sink: LoopbackSink, port: number): void {
    if (this.#singles.get(port) === sink) {
      this.#dropSingle(port);
      this.#refilter();
    }
    this.#claims.get(sink)?.singles.delete(port);
  }

  /** The ports the filter reads now: the slice (or the whole range) and the claimed ports outside it. */
  get filterPorts(): number[] {
    return this.#filterPorts().ports;
  }

  /** Whether someone claims `port` on its own. */
  claimed(port: number): boolean {
    return this.#singles.has(port);
  }

  /** A connected socket's local and peer ports: frames between them are the sink's. */
  claimPair(sink: LoopbackSink, local: number, peer: number): void {
    const claims = this.#claims.get(sink);
    if (!claims || local <= 0 || peer <= 0) return;
    const key = pairKey(local, peer);
    if (this.#pairs.get(key) !== sink) {
      if (!this.#pairs.has(key)) this.#count(this.#outside(local, peer), 1);
      this.#pairs.set(key, sink);
      claims.pairs.add(key);
      this.#refilter();
    }
    this.#replay(sink, (u) => pairKey(u.a, u.b) === key);
  }

  /** Reads what the kernel has queued now (right after a call, so its packets are not a turn late). */
  drainNow(): void {
    this.#capture?.drainNow();
  }

  close(): void {
    for (const sink of [...this.#sinks]) this.unsubscribe(sink);
  }

  /**
   * The port a claim on (a, b) needs the filter to name, or null: none when either is in the slice
   * (or there is no slice), nor for ports outside the lab range (a connect's client port), which
   * only ever talk to a lab port.
   */
  #outside(a: number, b: number): number | null {
    const slice = this.#options.slice;
    if (!slice) return null;
    const inSlice = (p: number) => p >= slice[0] && p <= slice[1];
    if (inSlice(a) || inSlice(b)) return null;
    const [lo, hi] = this.#options.ports;
    const inLab = (p: number) => p >= lo && p <= hi;
    return inLab(a) ? a : inLab(b) ? b : null;
  }

  #count(port: number | null, by: 1 | -1): void {
    if (port === null) return;
    const n = (this.#extras.get(port) ?? 0) + by;
    if (n > 0) this.#extras.set(port, n);
    else this.#extras.delete(port);
    if (n === 0 || (n === 1 && by === 1)) this.#extrasChanged = true;
  }

  #dropSingle(port: number): void {
    this.#singles.delete(port);
    this.#count(this.#outside(port, port), -1);
  }

  #dropPair(key: number): void {
    this.#pairs.delete(key);
    this.#count(this.#outside(Math.floor(key / 65536), key % 65536), -1);
  }

  #filterPorts(): { ports: number[]; key: string } {
    const [lo, hi] = this.#options.slice && this.#extras.size <= MAX_EXTRA_PORTS ? this.#options.slice : this.#options.ports;
    const ports = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
    if (this.#options.slice && this.#extras.size <= MAX_EXTRA_PORTS) ports.push(...[...this.#extras.keys()].sort((x, y) => x - y));
    return { ports, key: ports.length > hi - lo + 1 ? `${lo}-${hi},${ports.slice(hi - lo + 1).join(',')}` : `${lo}-${hi}` };
  }

  /** Attaches the filter again if the set of ports it must read changed (one setsockopt). */
  #refilter(): void {
    if (!this.open || !this.#options.slice || !this.#extrasChanged) return;
    this.#extrasChanged = false;
    const { ports, key } = this.#filterPorts();
    if (key === this.#filterKey) return;
    try {
      this.#capture!.setFilter({ match: 'ports', ports });
      this.#filterKey = key;
    } catch {
      // Not attached: the old filter stays in force, and the next change tries again.
    }
  }

  #sort(frame: CapturedFrame): void {
    let decoded: DecodedFrame | null = null;
    let ports = rawPorts(frame.data);
    if (!ports) {
      decoded = decodeOnce(frame);
      ports = framePorts(decoded);
    }
    if (!ports) return;
    const [a, b] = ports;
    const pair = this.#pairs.get(pairKey(a, b));
    const first = this.#singles.get(a);
    const second = this.#singles.get(b);
    const reached: LoopbackSink[] = [];
    for (const sink of [pair, first, second]) {
      if (sink && !reached.includes(sink)) {
        reached.push(sink);
        decoded ??= decodeOnce(frame);
        sink.deliver(frame, decoded);
      }
    }
    // Someone's end of it is not claimed yet: keep it a moment for that claim.
    if (!pair && (!first || !second)) this.#keep({ frame, decoded, a, b, at: Date.now(), reached });
  }

  #keep(u: Unclaimed): void {
    this.#unclaimed.push(u);
    // Trimmed in bulk (to the newest UNCLAIMED_FRAMES once twice that wait), not one shift per frame.
    if (this.#unclaimed.length >= 2 * UNCLAIMED_FRAMES) {
      this.#expire();
      if (this.#unclaimed.length > UNCLAIMED_FRAMES) this.#unclaimed.splice(0, this.#unclaimed.length - UNCLAIMED_FRAMES);
    }
  }

  #expire(): void {
    const old = Date.now() - UNCLAIMED_MS;
    let drop = 0;
    while (drop < this.#unclaimed.length && this.#unclaimed[drop]!.at < old) drop++;
    if (drop) this.#unclaimed.splice(0, drop);
  }

  #replay(sink: LoopbackSink, match: (u: Unclaimed) => boolean): void {
    this.#expire();
    for (const u of this.#unclaimed) {
      if (u.reached.includes(sink) || !match(u)) continue;
      u.reached.push(sink);
      u.decoded ??= decodeOnce(u.frame);
      sink.deliver(u.frame, u.decoded);
    }
  }
}

function decodeOnce(frame: CapturedFrame): DecodedFrame {
  return decodeFrame(frame.data, 'ethernet', { detail: false, originalLength: frame.originalLength });
}
