/**
 * The packets one step of a network scenario caused, ready to draw under it: each with the host
 * lanes it went between, its other sighting when it crossed the router, and its one-line summary cut
 * into parts so the endpoints the router rewrote can be marked.
 */
import type { HostName } from '@/server/protocol';
import { endpoint } from '@/packets/format.ts';
import { crossingsOf, REWRITE_WORDS, type Crossing, type Rewritten } from './crossings';
import { endsOf } from './decoded';
import { hostLanes, type HostLanes } from './host-lanes';
import { packetsOfStep, type PacketsState, type PacketView } from './store';

export interface SummaryPart {
  text: string;
  /** The router rewrote this endpoint (on one sighting or the other). */
  rewritten: boolean;
}

export interface StepPacketRow {
  packet: PacketView;
  lanes: HostLanes;
  crossing?: Crossing;
  /** This sighting is the router's copy, after its rewrite (the router sent it on this link). */
  afterRouter: boolean;
  parts: SummaryPart[];
}

/** The summary with its source and destination endpoints cut out, each marked if the router rewrote it. */
export function summaryParts(p: PacketView, rewritten: readonly Rewritten[]): SummaryPart[] {
  const ends = endsOf(p);
  const text = p.summary;
  if (!ends || !rewritten.length) return [{ text, rewritten: false }];
  const token = (e: { address: string; port?: number }) => (e.port === undefined ? e.address : endpoint(e.address, e.port));
  const src = token(ends.src);
  const arrow = ' → ';
  const dst = token(ends.dst);
  if (!text.startsWith(src + arrow + dst)) return [{ text, rewritten: false }];
  const srcMarked = rewritten.includes('src-address') || rewritten.includes('src-port');
  const dstMarked = rewritten.includes('dst-address') || rewritten.includes('dst-port');
  const rest = text.slice(src.length + arrow.length + dst.length);
  return [
    { text: src, rewritten: srcMarked },
    { text: arrow, rewritten: false },
    { text: dst, rewritten: dstMarked },
    ...(rest ? [{ text: rest, rewritten: false }] : []),
  ];
}

/** The rows under one step: the packets whose cause is the step's id, in capture order. */
export function stepPacketRows(state: PacketsState, stepId: number | string, byAddress: ReadonlyMap<string, HostName>): StepPacketRow[] {
  const caused = [...packetsOfStep(state, { id: stepId, seq: -1 }).caused].sort((a, b) => a.n - b.n);
  if (!caused.length) return [];
  const crossings = crossingsOf(state.list);
  return caused.map((packet) => {
    const crossing = crossings.get(packet);
    return {
      packet,
      lanes: hostLanes(packet, byAddress),
      ...(crossing ? { crossing } : {}),
      afterRouter: Boolean(crossing) && packet.host === 'router' && packet.direction === 'out',
      parts: summaryParts(packet, crossing?.rewritten ?? []),
    };
  });
}

/** What the router did to a packet, from this sighting's side. */
export function crossingWords(row: StepPacketRow): string | null {
  const c = row.crossing;
  if (!c) return null;
  const what = c.rewritten.map((r) => REWRITE_WORDS[r]).join(', ');
  if (!what) return `crossed the router unchanged (packet ${c.twin.n} on ${c.twin.link})`;
  return row.afterRouter ? `after the router: ${what} rewritten (packet ${c.twin.n} on ${c.twin.link} before)` : `the router rewrites its ${what} (packet ${c.twin.n} on ${c.twin.link} after)`;
}
