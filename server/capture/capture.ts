/**
 * A capture source: one packet socket on one link, with a kernel filter so only one session's
 * traffic is read, drained on libuv readiness with a budget per wake-up, its frames handed on with
 * kernel timestamps. Bounded everywhere: the kernel buffer (rcvbuf), the bytes kept of each frame
 * (snaplen), the frames read per wake-up (readBudget), and what is delivered at all (a FrameBudget,
 * which may be shared by all the captures of one session; past it frames are counted, not kept).
 *
 *   openCapture('lo', {...})       a socket this process opens (root or CAP_NET_RAW here)
 *   captureFromFd(fd, {...})       a socket opened inside a sandbox's network namespace and passed
 *                                  in with SCM_RIGHTS (no privilege needed there)
 *
 * Both return { ok: false, unavailable } with a one-line reason and what would enable capture
 * when it cannot run; they never throw for that.
 */
import { FdReadiness } from '../engines/native/readiness.ts';
import { loadCaptureAddon, type CaptureAddon } from './addon.ts';
import { compileFilter, programArray, type CaptureFilter } from './bpf.ts';
import { frameRecords } from './records.ts';
import { unavailableFrom, type CaptureUnavailable } from './unavailable.ts';

export interface CapturedFrame {
  /** The capture's link name: `lo`, `lan`, `wan`. */
  link: string;
  /** A copy of the frame's first `snaplen` bytes, starting with its Ethernet header. */
  data: Uint8Array;
  /** The frame's length on the wire. */
  originalLength: number;
  /** The kernel's receive timestamp, in nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** Sent by the host whose link this is ('out'), or arriving at it ('in'). */
  direction: 'in' | 'out';
}

/** How many frames (and bytes) may still be delivered; shared by a session's captures. */
export class FrameBudget {
  #frames = 0;
  #bytes = 0;
  #counted = 0;

  constructor(
    readonly maxFrames: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** True (and counted as delivered) while the budget lasts; false once it is spent, and the frame is only counted. */
  take(bytes: number): boolean {
    if (this.#frames >= this.maxFrames || this.#bytes + bytes > this.maxBytes) {
      this.#counted++;
      return false;
    }
    this.#frames++;
    this.#bytes += bytes;
    return true;
  }

  get spent(): boolean {
    return this.#frames >= this.maxFrames || this.#bytes >= this.maxBytes;
  }

  /** Frames delivered, their bytes, and frames seen after the budget was spent (counted only). */
  get usage(): { frames: number; bytes: number; countedOnly: number } {
    return { frames: this.#frames, bytes: this.#bytes, countedOnly: this.#counted };
  }
}

export interface CaptureOptions {
  /** Which frames the kernel passes to this capture. */
  filter: CaptureFilter;
  /** Called for each frame while the budget lasts. */
  onFrame: (frame: CapturedFrame) => void;
  /**
   * Called when the socket reports an error. `ENETDOWN` (the link went down) is not fatal: the
   * kernel resumes the capture when the link comes up again. Any other error closes the capture.
   */
  onError?: (code: string, fatal: boolean) => void;
  /** The link's name in frames and files; defaults to the interface name (or 'link' for an fd). */
  link?: string;
  /** Bytes kept of each frame. Default 2048: every frame of a 1500-byte link whole, and the start of a loopback jumbo segment. */
  snaplen?: number;
  /**
   * Skip frames this host sends. Default: true for `lo`, where the kernel shows every packet twice
   * (leaving and arriving); false elsewhere, where a link's outgoing frames are half of what it carries.
   */
  skipOutgoing?: boolean;
  /** Frames delivered at most; default a budget of its own, 10,000 frames and 8 MiB. */
  budget?: FrameBudget;
  /** Frames read per readiness event before giving the event loop back (default 256). */
  readBudget?: number;
  /** The kernel's receive buffer for this socket, in bytes (default 1 MiB); beyond it the kernel drops and counts. */
  rcvbuf?: number;
}

export interface CaptureStats {
  /** Frames handed to onFrame. */
  delivered: number;
  /** Frames read after the budget was spent: counted, not kept. */
  countedOnly: number;
  /** Frames the kernel dropped because the receive buffer was full. */
  kernelDrops: number;
  /** Frames queued on a received socket before our filter was attached, thrown away unread. */
  discardedBeforeFilter: number;
  /** The most frames one readiness event read (never more than readBudget). */
  largestRead: number;
}

export type CaptureResult = { ok: true; capture: PacketCapture } | { ok: false; unavailable: CaptureUnavailable };

export const DEFAULT_SNAPLEN = 2048;
const DEFAULT_READ_BUDGET = 256;
const DEFAULT_RCVBUF = 1024 * 1024;
/** What is read of a frame once the budget is spent: enough to count it. */
const COUNTING_SNAPLEN = 64;

interface Settings {
  link: string;
  snaplen: number;
  skipOutgoing: boolean;
  readBudget: number;
  rcvbuf: number;
}

function settings(options: CaptureOptions, defaultLink: string, loopback: boolean): Settings {
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  const readBudget = options.readBudget ?? DEFAULT_READ_BUDGET;
  const rcvbuf = options.rcvbuf ?? DEFAULT_RCVBUF;
  if (!Number.isInteger(snaplen) || snaplen < 64 || snaplen > 262144) throw new RangeError('snaplen must be 64 to 262144');
  if (!Number.isInteger(readBudget) || readBudget < 1 || readBudget > 65536) throw new RangeError('readBudget must be 1 to 65536');
  if (!Number.isInteger(rcvbuf) || rcvbuf < 4096 || rcvbuf > 64 * 1024 * 1024) throw new RangeError('rcvbuf must be 4 KiB to 64 MiB');
  return { link: options.link ?? defaultLink, snaplen, skipOutgoing: options.skipOutgoing ?? loopback, readBudget, rcvbuf };
}

/** Opens a capture on an interface of this process's network namespace (`lo` for the loopback lab). */
export function openCapture(ifname: string, options: CaptureOptions): CaptureResult {
  const s = settings(options, ifname, ifname === 'lo');
  const loaded = loadCaptureAddon();
  if ('failure' in loaded) return { ok: false, unavailable: unavailableFrom('E_NO_ADDON', loaded.failure, ifname) };
  const program = programArray(compileFilter(options.filter, { snaplen: s.snaplen, skipOutgoing: s.skipOutgoing }));
  let fd: number;
  try {
    fd = loaded.addon.captureOpen(ifname, program, s.rcvbuf);
  } catch (e) {
    return { ok: false, unavailable: unavailableFrom(errorCode(e), e instanceof Error ? e.message : String(e), ifname) };
  }
  return { ok: true, capture: new PacketCapture(loaded.addon, fd, s, options, 0) };
}

/**
 * Whether capture can run on `ifname` here: null if it can, else why not and what would enable it.
 * Opens one socket with a filter that accepts nothing, and closes it (e.g. once at server start).
 */
export function probeCapture(ifname = 'lo'): CaptureUnavailable | null {
  const result = openCapture(ifname, { filter: { match: 'any-of', filters: [] }, onFrame: () => {} });
  if (!result.ok) return result.unavailable;
  result.capture.close();
  return null;
}

/**
 * Starts a capture on a packet socket made elsewhere: inside a sandbox's network namespace, where
 * AF_PACKET needs no privilege, and passed to this process with SCM_RIGHTS. `fd` must be one of
 * the addon's fds (whoever receives it adopts it). Give the link's `ifindex` (in the sandbox's
 * namespace) if the socket is not bound yet: it is then bound only after the filter is on. An
 * already bound socket may hold unfiltered frames; they are dropped unread.
 */
export function captureFromFd(fd: number, options: CaptureOptions & { ifindex?: number; loopback?: boolean }): CaptureResult {
  const s = settings(options, 'link', options.loopback ?? false);
  const loaded = loadCaptureAddon();
  if ('failure' in loaded) return { ok: false, unavailable: unavailableFrom('E_NO_ADDON', loaded.failure, s.link) };
  const program = programArray(compileFilter(options.filter, { snaplen: s.snaplen, skipOutgoing: s.skipOutgoing }));
  let discarded: number;
  try {
    discarded = loaded.addon.captureFromFd(fd, program, s.rcvbuf, options.ifindex ?? -1);
  } catch (e) {
    return { ok: false, unavailable: unavailableFrom(errorCode(e), e instanceof Error ? e.message : String(e), s.link) };
  }
  return { ok: true, capture: new PacketCapture(loaded.addon, fd, s, options, discarded) };
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_INTERNAL';
}

export class PacketCapture {
  readonly link: string;
  readonly #addon: CaptureAddon;
  readonly #fd: number;
  readonly #settings: Settings;
  readonly #budget: FrameBudget;
  readonly #onFrame: (frame: CapturedFrame) => void;
  readonly #onError?: (code: string, fatal: boolean) => void;
  readonly #readiness: FdReadiness;
  readonly #stats: CaptureStats;
  #closed = false;

  constructor(addon: CaptureAddon, fd: number, s: Settings, options: CaptureOptions, discarded: number) {
    this.link = s.link;
    this.#addon = addon;
    this.#fd = fd;
    this.#settings = s;
    this.#budget = options.budget ?? new FrameBudget(10_000, 8 * 1024 * 1024);
    this.#onFrame = options.onFrame;
    this.#onError = options.onError;
    this.#stats = { delivered: 0, countedOnly: 0, kernelDrops: 0, discardedBeforeFilter: discarded, largestRead: 0 };
    this.#readiness = new FdReadiness(addon, fd);
    this.#readiness.add({
      readable: true,
      ready: (events) => {
        if (events.error || events.hangup) this.#socketError(events.hangup);
        if (events.readable && !this.#closed) this.#drain();
      },
    });
  }

  /** Replaces the kernel filter (e.g. when the session's ports change); frames already queued stay. */
  setFilter(filter: CaptureFilter): void {
    if (this.#closed) return;
    const program = programArray(compileFilter(filter, { snaplen: this.#settings.snaplen, skipOutgoing: this.#settings.skipOutgoing }));
    this.#addon.captureSetFilter(this.#fd, program);
  }

  /**
   * Reads what is waiting now, without waiting for the next readiness event (e.g. right after a
   * step's call, so its packets are not a loop iteration late). Bounded by readBudget like a wake-up.
   */
  drainNow(): void {
    if (!this.#closed) this.#drain();
  }

  stats(): CaptureStats {
    if (!this.#closed) this.#pullKernelStats();
    return { ...this.#stats };
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#pullKernelStats();
    this.#closed = true;
    this.#readiness.stop();
    try {
      this.#addon.close(this.#fd);
    } catch {
      // Already gone (EBADF): nothing to release.
    }
  }

  #pullKernelStats(): void {
    try {
      this.#stats.kernelDrops += this.#addon.captureStats(this.#fd).drops;
    } catch {
      // The socket failed; #fail reports it.
    }
  }

  #drain(): void {
    let records: Buffer | null;
    const snaplen = this.#budget.spent ? COUNTING_SNAPLEN : this.#settings.snaplen;
    try {
      records = this.#addon.captureRead(this.#fd, snaplen, this.#settings.readBudget);
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ENETDOWN') this.#onError?.(code, false);
      else this.#fail(code);
      return;
    }
    if (!records) return;
    let n = 0;
    for (const r of frameRecords(records)) {
      n++;
      if (!this.#budget.take(r.caplen)) {
        this.#stats.countedOnly++;
        continue;
      }
      const data = new Uint8Array(r.caplen);
      data.set(records.subarray(r.at, r.at + r.caplen));
      this.#stats.delivered++;
      this.#onFrame({ link: this.#settings.link, data, originalLength: r.origlen, timestampNs: r.timestampNs, direction: r.pktType === 4 ? 'out' : 'in' });
      if (this.#closed) return;
    }
    if (n > this.#stats.largestRead) this.#stats.largestRead = n;
  }

  /** Reads (and so clears) the socket's pending error. */
  #socketError(hangup: boolean): void {
    let code: string | null;
    try {
      code = this.#addon.soError(this.#fd);
    } catch (e) {
      code = errorCode(e);
    }
    if (code === 'ENETDOWN') this.#onError?.(code, false);
    else if (code !== null || hangup) this.#fail(code ?? 'EIO');
  }

  #fail(code: string): void {
    if (this.#closed) return;
    this.close();
    this.#onError?.(code, true);
  }
}
