/**
 * One session's packets (issue 17): off until the page asks; then its loopback sockets' frames
 * from the server's one shared `lo` capture (server/capture/loopback.ts), and, with a sandbox
 * network, the router's `lan` and `wan` links from capture sockets made inside the sandbox.
 *
 * Each frame gets its cause, the step whose call sent it (the rule is in docs/protocol.md,
 * *Packets*): a step opens a window from its start until CAUSE_GRACE_MS after its call returned,
 * and a frame captured inside the window of a step that names one of the frame's ports (on the
 * same side, loopback or sandbox) is that step's, the latest such step winning. A frame caused by
 * a step still running is held and sent right after the step's event (or its `blocked` event),
 * so the page always has the step before its packets.
 *
 * Bounded: a FrameBudget per session (cap frames and bytes); past it frames are counted only and
 * the state becomes 'capped'. Held frames are part of what the budget allows.
 */
import { decodeFrame, type DecodedFrame } from '../../packets/index.ts';
import { framePorts, FrameBudget, PacketLog, type CapturedFrame, type CaptureUnavailable, type LoopbackCapture, type LoopbackSink, type PacketCapture } from '../capture/index.ts';
import type { CaptureLink, CaptureState, CommandId, HostName, Op, PacketEvent, ServerEvent } from '../protocol/index.ts';
import type { SandboxNetwork } from '../sandbox/index.ts';
import type { SocketEntry } from './socket-table.ts';

/** How long after its call returned a step still owns the packets of its sockets (a peer's answer, a delayed ACK). */
export const CAUSE_GRACE_MS = 50;
/** Steps remembered for causes; older ones have long closed their windows. */
const WINDOWS_KEPT = 64;

export interface CaptureSupport {
  /** The server's shared loopback capture, or null when it cannot run here (then `loopbackUnavailable` says why). */
  loopback: LoopbackCapture | null;
  loopbackUnavailable: CaptureUnavailable | null;
  /** Whether sessions may have sandbox networks (their links capture without privilege). */
  sandbox: boolean;
  /** Per-session cap: frames kept and sent, and their bytes. */
  cap: { frames: number; bytes: number };
  snaplen: number;
}

/** The router's links, as the protocol names them, and the interface each is in the router's namespace. */
const SANDBOX_LINKS: ReadonlyArray<{ link: CaptureLink; host: HostName; ifname: string }> = [
  { link: 'lan', host: 'router', ifname: 'lan' },
  { link: 'wan', host: 'router', ifname: 'wan' },
];

/** The operations whose calls make the kernel send packets (a blocked recv's window update, too). */
const SENDING_OPS: ReadonlySet<Op> = new Set<Op>(['connect', 'send', 'sendto', 'recv', 'recvfrom', 'shutdown', 'close', 'ping']);

export interface StepWindow {
  id: CommandId | null;
  seq: number;
  op: Op;
  /** A sandbox socket's step (its packets are on lan/wan), or a loopback one. */
  sandbox: boolean;
  ports: Set<number>;
  start: number;
  end?: number;
  /** The step's event (or its blocked event) has gone out: its packets may follow at once. */
  released: boolean;
  held: PacketEvent[];
  /** A connect's destination port, claimed on the loopback capture while the call runs. */
  provisional?: number;
}

export class SessionCapture implements LoopbackSink {
  #state: 'off' | 'on' | 'capped' = 'off';
  readonly #log: PacketLog;
  readonly #budget: FrameBudget;
  readonly #windows: StepWindow[] = [];
  readonly #links = new Map<CaptureLink, PacketCapture>();
  #onLoopback = false;
  #problem: CaptureUnavailable | null = null;
  #n = 0;
  #closed = false;

  constructor(
    private readonly support: CaptureSupport,
    private readonly emit: (event: ServerEvent) => void,
    private readonly socketEntries: () => SocketEntry[],
  ) {
    this.#log = new PacketLog(support.snaplen);
    this.#budget = new FrameBudget(support.cap.frames, support.cap.bytes);
  }

  /** What the hello says before anything is asked: whether capture can run here, and on which links. */
  static describe(support: CaptureSupport): CaptureState {
    const links: CaptureLink[] = [...(support.loopback ? (['lo'] as const) : []), ...(support.sandbox ? (['lan', 'wan'] as const) : [])];
    const u = support.loopbackUnavailable;
    return {
      state: links.length ? 'off' : 'unavailable',
      links,
      packets: 0,
      countedOnly: 0,
      cap: support.cap.frames,
      ...(u ? { code: u.code, reason: u.reason, enable: u.enable } : {}),
    };
  }

  get on(): boolean {
    return this.#state !== 'off';
  }

  status(): CaptureState {
    const base = SessionCapture.describe(this.support);
    const problem = this.#problem ?? this.support.loopbackUnavailable;
    return {
      state: this.#state === 'off' ? base.state : this.#state,
      links: this.#state === 'off' ? base.links : [...(this.#onLoopback ? (['lo'] as const) : []), ...this.#links.keys()],
      packets: this.#n,
      countedOnly: this.#budget.usage.countedOnly,
      cap: this.support.cap.frames,
      ...(problem ? { code: problem.code, reason: problem.reason, enable: problem.enable } : {}),
    };
  }

  async start(network: SandboxNetwork | null): Promise<CaptureState> {
    if (this.#closed || this.#state !== 'off') return this.status();
    const base = SessionCapture.describe(this.support);
    if (base.state === 'unavailable') return base;
    this.#state = this.#budget.spent ? 'capped' : 'on';
    const { loopback } = this.support;
    if (loopback) {
      const failed = loopback.subscribe(this);
      if (failed) this.#problem = failed;
      else {
        this.#onLoopback = true;
        for (const entry of this.socketEntries()) this.noteSocket(entry);
      }
    }
    if (network) await this.networkCreated(network);
    this.#announce();
    return this.status();
  }

  stop(): CaptureState {
    if (this.#state === 'off') return this.status();
    this.#state = 'off';
    this.#detach();
    for (const w of this.#windows) this.#flush(w);
    this.#announce();
    return this.status();
  }

  /** The session's network is built (or was there when capture started): capture its links. */
  async networkCreated(network: SandboxNetwork): Promise<void> {
    if (this.#state === 'off' || !this.support.sandbox) return;
    for (const { link, host, ifname } of SANDBOX_LINKS) {
      if (this.#links.has(link)) continue;
      let result;
      try {
        result = await network.capture(host, ifname, {
          link,
          filter: { match: 'all' },
          snaplen: this.support.snaplen,
          budget: new FrameBudget(Number.MAX_SAFE_INTEGER),
          onFrame: (frame) => this.#take(frame, host),
          onError: (_code, fatal) => {
            if (fatal) this.#links.delete(link);
          },
        });
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        this.#problem = { code: typeof code === 'string' ? code : 'E_INTERNAL', reason: `Capturing ${link} failed: ${e instanceof Error ? e.message : String(e)}`, enable: 'Create the network again.' };
        continue;
      }
      if (!result.ok) {
        this.#problem = result.unavailable;
        continue;
      }
      // Stopped (or the session ended) while the socket was on its way.
      if (!this.on || this.#closed) {
        result.capture.close();
        return;
      }
      this.#links.set(link, result.capture);
    }
    this.#announce();
  }

  /** The network is gone: so are its captures (the packets already captured stay in the log). */
  networkGone(): void {
    for (const c of this.#links.values()) c.close();
    const had = this.#links.size > 0;
    this.#links.clear();
    if (had && this.#state !== 'off') this.#announce();
  }

  /** A loopback socket's addresses may have changed (bound, connected, accepted): claim its ports. */
  noteSocket(entry: SocketEntry): void {
    const loopback = this.support.loopback;
    if (!this.#onLoopback || !loopback || entry.host !== undefined) return;
    if (entry.tuple) {
      loopback.claimPair(this, entry.tuple.local.port, entry.tuple.remote.port);
      return;
    }
    const local = safely(() => entry.sock.localAddress());
    if (local && local.port !== 0) loopback.claimPort(this, local.port);
  }

  /** A loopback socket was bound to `port` (the bind's result: no need to ask the kernel). */
  notePort(entry: SocketEntry, port: number): void {
    if (this.#onLoopback && entry.host === undefined) this.support.loopback?.claimPort(this, port);
  }

  /** A step begins: its window opens. `ports`: its socket's ports known now (and a connect's or sendto's destination). */
  beginStep(step: { id: CommandId | null; seq: number; op: Op }, entry: SocketEntry | undefined, destination: number | undefined): StepWindow | null {
    if (this.#state === 'off' || !SENDING_OPS.has(step.op)) return null;
    const ports = new Set<number>();
    if (entry) for (const p of portsOf(entry)) ports.add(p);
    if (destination) ports.add(destination);
    const w: StepWindow = { id: step.id, seq: step.seq, op: step.op, sandbox: entry?.host !== undefined || step.op === 'ping', ports, start: Date.now(), released: false, held: [] };
    // A refused connect's SYN and RST name no port anyone holds once the call has failed (the
    // kernel unbinds the socket): the destination is the connecting session's while it runs.
    const loopback = this.support.loopback;
    if (this.#onLoopback && loopback && step.op === 'connect' && !w.sandbox && destination && !loopback.claimed(destination)) {
      w.provisional = destination;
      loopback.claimPort(this, destination);
    }
    this.#windows.push(w);
    if (this.#windows.length > WINDOWS_KEPT) this.#windows.splice(0, this.#windows.length - WINDOWS_KEPT);
    return w;
  }

  /** The call is waiting: its step's `blocked` event went out, so its packets may follow. */
  blocked(w: StepWindow | null): void {
    if (w) this.#flush(w);
  }

  /**
   * The call returned. Reads what the captures hold now, so the call's own packets are attributed
   * and held; the session then sends the step, then calls finished().
   */
  callReturned(w: StepWindow | null, entry: SocketEntry | undefined): void {
    if (!w) return;
    // Only a connect or a first send gives a socket ports it did not have when the step began.
    if (entry && (w.op === 'connect' || w.op === 'sendto' || w.op === 'send')) {
      for (const p of portsOf(entry)) w.ports.add(p);
      this.noteSocket(entry);
    }
    this.drainNow();
    w.end = Date.now();
    if (w.provisional !== undefined) {
      this.support.loopback?.releasePort(this, w.provisional);
      w.provisional = undefined;
    }
  }

  /** The step's event has been sent: its held packets follow. */
  finished(w: StepWindow | null): void {
    if (w) this.#flush(w);
  }

  drainNow(): void {
    if (this.#onLoopback) this.support.loopback?.drainNow();
    for (const c of this.#links.values()) c.drainNow();
  }

  /** The session's capture as a pcapng file (one interface per link). */
  pcapng(): { packets: number; file: Uint8Array } {
    return { packets: this.#log.size, file: this.#log.pcapng() };
  }

  /** Ends everything (the session ended). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#state = 'off';
    this.#detach();
    this.#log.clear();
  }

  // LoopbackSink
  deliver(frame: CapturedFrame, decoded: DecodedFrame): void {
    this.#take(frame, undefined, decoded);
  }

  #detach(): void {
    if (this.#onLoopback) this.support.loopback?.unsubscribe(this);
    this.#onLoopback = false;
    for (const w of this.#windows) w.provisional = undefined;
    for (const c of this.#links.values()) c.close();
    this.#links.clear();
  }

  #announce(): void {
    if (this.#closed) return;
    this.emit({ event: 'capture', ...this.status(), at: Date.now() });
  }

  #take(frame: CapturedFrame, host: HostName | undefined, decoded?: DecodedFrame): void {
    if (this.#state === 'off') return;
    if (!this.#budget.take(frame.data.length)) {
      if (this.#state === 'on') {
        this.#state = 'capped';
        this.#announce();
      }
      return;
    }
    decoded ??= decodeFrame(frame.data, 'ethernet', { detail: false, originalLength: frame.originalLength });
    const timeMs = Number(frame.timestampNs / 1000n) / 1000;
    const w = this.#causeOf(decoded, timeMs, host !== undefined);
    const entry = this.#log.add(frame, w && w.id !== null ? { id: w.id, label: `step ${w.seq}: ${w.op} (id ${JSON.stringify(w.id)})` } : undefined, decoded);
    this.#n = entry.seq;
    const event: PacketEvent = {
      event: 'packet',
      n: entry.seq,
      link: frame.link as CaptureLink,
      time: timeMs,
      frame: Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength).toString('base64'),
      length: frame.originalLength,
      direction: frame.direction,
      summary: entry.summary,
      ...(w && w.id !== null ? { cause: w.id } : {}),
      ...(host ? { host } : {}),
    };
    if (w && !w.released) w.held.push(event);
    else this.emit(event);
  }

  /** The latest step whose window holds `timeMs` and names one of the frame's ports (any, for a frame without ports). */
  #causeOf(decoded: DecodedFrame, timeMs: number, sandbox: boolean): StepWindow | undefined {
    const ports = framePorts(decoded);
    for (let i = this.#windows.length - 1; i >= 0; i--) {
      const w = this.#windows[i]!;
      if (w.sandbox !== sandbox || timeMs < w.start - 1 || (w.end !== undefined && timeMs > w.end + CAUSE_GRACE_MS)) continue;
      if (!ports) {
        if (w.op === 'ping' || w.op === 'connect' || w.op === 'sendto') return w; // ARP, neighbour discovery, echo
        continue;
      }
      if (w.op !== 'ping' && (w.ports.has(ports[0]) || w.ports.has(ports[1]))) return w;
    }
    return undefined;
  }

  #flush(w: StepWindow): void {
    w.released = true;
    const held = w.held;
    if (!held.length) return;
    w.held = [];
    for (const event of held) this.emit(event);
  }
}

function safely<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/**
 * A socket's ports: from its remembered connection when it has one (no system call; `connect` and
 * `accept` remember it for TCP and UDP alike), else only its local port: without a connection it has no peer.
 */
function portsOf(entry: SocketEntry): number[] {
  if (entry.tuple) return [entry.tuple.local.port, entry.tuple.remote.port];
  const local = safely(() => entry.sock.localAddress());
  return local?.port ? [local.port] : [];
}
