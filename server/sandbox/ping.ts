/**
 * ping, for real: ICMP echo requests on an ICMP datagram socket that was created inside a sandbox
 * host (so the packets leave from that host), driven by the addon's sendto/recvfrom and libuv
 * readiness like every other lab socket. The kernel fills in the identifier and checksum and
 * hands back only the replies to this socket. One echo at a time: send, then a reply or a timeout.
 */
import type { NativeAddon } from '../engines/native/addon.ts';
import { asEngineError } from '../engines/native/addon.ts';
import { FdReadiness, type Interest } from '../engines/native/readiness.ts';
import type { Echo } from './schema.ts';

const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;
/** 56 bytes, as ping sends: with the 8-byte header, 64 bytes of ICMP. */
const PAYLOAD = Buffer.from('socketlab ping 0123456789 abcdefghijklmnopqrstuvwxyz ABC', 'ascii');

export function echoRequest(family: 4 | 6, seq: number): Buffer {
  const packet = Buffer.alloc(8 + PAYLOAD.length);
  packet[0] = ECHO_REQUEST[family];
  packet.writeUInt16BE(seq, 6); // type, code, checksum and identifier stay 0: the kernel sets them
  PAYLOAD.copy(packet, 8);
  return packet;
}

/** The sequence number of an echo reply, or null for anything else. */
export function replySeq(family: 4 | 6, packet: Buffer): number | null {
  if (packet.length < 8 || packet[0] !== ECHO_REPLY[family]) return null;
  return packet.readUInt16BE(6);
}

export interface PingIo {
  addon: NativeAddon;
  fd: number;
  family: 4 | 6;
  address: string;
}

export interface PingHooks {
  /** Resolves when the next echo may go (the network's pings-per-second cap). */
  pace(): Promise<void>;
  onEcho?(echo: Echo): void;
  /** Set when the ping must stop now (the network is being destroyed). */
  readonly stopped: () => boolean;
  /** Calls `listener` on stop; returns the function that forgets it. */
  onStop(listener: () => void): () => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runPing(io: PingIo, options: { count: number; timeoutMs: number; intervalMs: number }, hooks: PingHooks): Promise<Echo[]> {
  const readiness = new FdReadiness(io.addon, io.fd);
  const echoes: Echo[] = [];
  try {
    for (let seq = 1; seq <= options.count && !hooks.stopped(); seq++) {
      const started = performance.now();
      await hooks.pace();
      if (hooks.stopped()) break;
      const sentAt = performance.now();
      let echo: Echo;
      try {
        io.addon.sendto(io.fd, echoRequest(io.family, seq), io.address, 0);
        const reply = await waitReply(io, readiness, seq, options.timeoutMs, hooks);
        echo = reply
          ? { seq, status: 'reply', from: reply.from, bytes: reply.bytes, timeMs: round(performance.now() - sentAt), errno: null }
          : { seq, status: 'timeout', from: null, bytes: null, timeMs: null, errno: null };
      } catch (e) {
        echo = { seq, status: 'error', from: null, bytes: null, timeMs: null, errno: asEngineError(e).code };
      }
      echoes.push(echo);
      hooks.onEcho?.(echo);
      const rest = options.intervalMs - (performance.now() - started);
      if (seq < options.count && rest > 0 && !hooks.stopped()) await sleep(rest);
    }
  } finally {
    readiness.stop();
  }
  return echoes;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Waits for the echo reply with this sequence number; null on timeout or stop. */
function waitReply(io: PingIo, readiness: FdReadiness, seq: number, timeoutMs: number, hooks: PingHooks): Promise<{ from: string; bytes: number } | null> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (value: { from: string; bytes: number } | null, error?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      forget();
      readiness.remove(interest);
      if (error) reject(error);
      else resolve(value);
    };
    const drain = () => {
      for (;;) {
        let got: { data: Buffer; address: string | null };
        try {
          got = io.addon.recvfrom(io.fd, 65536);
        } catch (e) {
          const err = asEngineError(e);
          if (err.code !== 'EAGAIN') finish(null, err);
          return;
        }
        if (replySeq(io.family, got.data) === seq) return finish({ from: got.address ?? io.address, bytes: got.data.length });
        // An earlier echo's late reply: ignored, as ping does.
      }
    };
    const interest: Interest = { readable: true, ready: drain };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const forget = hooks.onStop(() => finish(null));
    readiness.add(interest);
  });
}

/** A token bucket: at most `perSecond` echoes a second per network, later ones wait their turn. */
export class PingPacer {
  readonly #perSecond: number;
  #tokens: number;
  #last = performance.now();
  #queue: Promise<void> = Promise.resolve();

  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#tokens = perSecond;
  }

  take(): Promise<void> {
    const turn = this.#queue.then(async () => {
      this.#refill();
      if (this.#tokens < 1) {
        await sleep(((1 - this.#tokens) / this.#perSecond) * 1000);
        this.#refill();
      }
      this.#tokens -= 1;
    });
    this.#queue = turn;
    return turn;
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
  }
}
