/**
 * The packets a session's page holds: each `packet` event as it arrived, bounded, grouped under the
 * step that caused it, and the capture's state. Pure functions over plain data, so the timeline and
 * the tests share them.
 *
 * Grouping: a packet with a `cause` joins that step (by the step's `id`, the request id the server
 * echoes); one without (an ACK or retransmission the kernel sent on its own, a peer's late answer)
 * joins the newest step the page had seen when it arrived, marked as the kernel's own.
 */
import type { CaptureEvent, CaptureState, PacketEvent } from '@/server/protocol';

export interface PacketView {
  /** The server's packet number (1, 2, 3... per session, the pcapng file's order). */
  n: number;
  link: PacketEvent['link'];
  host?: string;
  time: number;
  length: number;
  direction: PacketEvent['direction'];
  summary: string;
  /** The captured bytes, from the Ethernet header. */
  frame: Uint8Array;
  /** The step id that sent it, when one did. */
  cause?: number | string;
  /** Where the timeline shows it: `id:<step id>` or `after:<step seq>` (see groupKey). */
  group: string;
}

export interface PacketsState {
  capture: CaptureState | null;
  /** Every packet kept, in arrival order (at most MAX_PACKETS: the oldest go first). */
  list: PacketView[];
  /** The same packets by group; an array is replaced only when a packet joins it (so memoised rows skip). */
  byGroup: Record<string, PacketView[]>;
  /** Packets dropped from this page's memory (the server's pcapng still has them). */
  forgotten: number;
}

/** The page keeps this many packets; the server's own cap is separate (capture state 'capped'). */
export const MAX_PACKETS = 2000;

export const NO_PACKETS: PacketsState = { capture: null, list: [], byGroup: {}, forgotten: 0 };

export const causeGroup = (id: number | string) => `id:${typeof id}:${id}`;
export const afterGroup = (seq: number) => `after:${seq}`;

/** The group a packet joins: its cause, or the newest step seen (0: before any step). */
export function groupKey(cause: number | string | undefined, newestSeq: number): string {
  return cause !== undefined && cause !== null ? causeGroup(cause) : afterGroup(newestSeq);
}

export function base64Bytes(b64: string): Uint8Array {
  try {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array(0);
  }
}

export function applyPacket(state: PacketsState, e: PacketEvent, newestSeq: number): PacketsState {
  const group = groupKey(e.cause, newestSeq);
  const view: PacketView = {
    n: e.n,
    link: e.link,
    ...(e.host ? { host: e.host } : {}),
    time: e.time,
    length: e.length,
    direction: e.direction,
    summary: e.summary,
    frame: base64Bytes(e.frame),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    group,
  };
  let list = [...state.list, view];
  let byGroup = { ...state.byGroup, [group]: [...(state.byGroup[group] ?? []), view] };
  let forgotten = state.forgotten;
  if (list.length > MAX_PACKETS) {
    const gone = list.slice(0, list.length - MAX_PACKETS);
    list = list.slice(gone.length);
    forgotten += gone.length;
    for (const p of gone) {
      const rest = (byGroup[p.group] ?? []).filter((q) => q !== p);
      if (rest.length) byGroup[p.group] = rest;
      else {
        byGroup = { ...byGroup };
        delete byGroup[p.group];
      }
    }
  }
  return { ...state, list, byGroup, forgotten };
}

export function applyCapture(state: PacketsState, e: CaptureEvent | CaptureState): PacketsState {
  const { state: s, links, packets, countedOnly, cap, code, reason, enable } = e;
  return { ...state, capture: { state: s, links, packets, countedOnly, cap, ...(code ? { code } : {}), ...(reason ? { reason } : {}), ...(enable ? { enable } : {}) } };
}

/** The packets a step's row shows: those it caused, then those that came on their own after it. */
export function packetsOfStep(state: PacketsState, step: { id: number | string | null; seq: number }): { caused: PacketView[]; after: PacketView[] } {
  return {
    caused: step.id !== null ? (state.byGroup[causeGroup(step.id)] ?? NONE) : NONE,
    after: state.byGroup[afterGroup(step.seq)] ?? NONE,
  };
}

const NONE: PacketView[] = [];

/** Which links a view shows: the loopback lab's, or a sandbox network's. */
export type CaptureNeed = 'lo' | 'sandbox';

/** Whether the capture can run for a view: the link it needs is one the server can capture. */
export function canCapture(capture: CaptureState | null, need: CaptureNeed): boolean {
  if (!capture || capture.state === 'unavailable') return false;
  return need === 'lo' ? capture.links.includes('lo') : capture.links.includes('lan') || capture.links.includes('wan');
}

/**
 * One line for a capture that cannot run (or is capped) for this view: why, and what would enable
 * it, in the server's words; null when it runs.
 */
export function captureLine(capture: CaptureState | null, need: CaptureNeed = 'lo'): string | null {
  if (!capture) return 'This server does not capture packets: its host switched capture off (--capture-packets 0), or it predates packet capture.';
  if (!canCapture(capture, need)) {
    const why = capture.reason ?? capture.code ?? `this server cannot capture on ${need === 'lo' ? 'loopback' : 'the sandbox links'}`;
    return [`Packets cannot be captured here: ${why.replace(/\.$/, '')}.`, capture.enable ? `To enable it: ${capture.enable}` : ''].filter(Boolean).join(' ');
  }
  if (capture.state === 'capped') return `The capture reached its cap of ${capture.cap} packets: ${capture.countedOnly} more were counted, not kept. Reset the lab for a fresh capture.`;
  return null;
}
