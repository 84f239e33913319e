'use client';
import { memo } from 'react';
import type { PacketView } from '@/app/_lib/lab/packets/store';
import { laneColor } from '@/app/_lib/lab/lane-colors';

interface Props {
  packet: PacketView;
  lanes: string[];
  /** The sender's and receiver's lanes, where they are known. */
  from: string | null;
  to: string | null;
  /** The grid row within its step's row (the call is row 1). */
  row: number;
  /** Sent by the kernel on its own (no call caused it). */
  own: boolean;
  selected: boolean;
  onSelect: (n: number) => void;
}

/**
 * One packet under the call that caused it: an arrow from the sender's lane to the receiver's,
 * with its one-line summary. Selecting it opens its detail in the packet panel.
 */
export const TimelinePacket = memo(function TimelinePacket({ packet, lanes, from, to, row, own, selected, onSelect }: Props) {
  const a = from === null ? -1 : lanes.indexOf(from);
  const b = to === null ? -1 : lanes.indexOf(to);
  const known = a >= 0 && b >= 0 && a !== b;
  const first = known ? Math.min(a, b) : 0;
  const last = known ? Math.max(a, b) : Math.max(lanes.length - 1, 0);
  const rightward = known ? b > a : true;
  const color = laneColor(lanes, from ?? lanes[0] ?? '');
  const who = from && to ? `, ${from} to ${to}` : '';
  return (
    <button
      type="button"
      onClick={() => onSelect(packet.n)}
      aria-pressed={selected}
      className={`relative mt-0.5 flex min-w-0 items-center gap-1 rounded px-1 py-0.5 text-left font-mono text-[0.7rem] leading-tight hover:bg-gray-100 dark:hover:bg-gray-800 ${selected ? 'ring-2 ring-blue-500' : ''}`}
      style={{ gridColumn: `${first + 2} / ${last + 3}`, gridRow: row }}
      data-testid="timeline-packet"
      data-packet={packet.n}
      data-link={packet.link}
    >
      {/* The name is the visible text with the words the arrow says to the eye, so it reads the same as it looks. */}
      <span className="sr-only">
        Packet {packet.n}
        {who}:{' '}
      </span>
      <span aria-hidden="true" className={`shrink-0 ${color.text}`}>
        {known ? (rightward ? '──▶' : '◀──') : '•'}
      </span>
      <span className="min-w-0 [overflow-wrap:anywhere] text-gray-800 dark:text-gray-200">
        <span className="text-gray-600 dark:text-gray-400">{packet.link} </span>
        {packet.summary}
        {packet.host ? <span className="sr-only"> ({packet.host})</span> : null}
        {own ? <span className="text-gray-600 dark:text-gray-400"> (kernel)</span> : null}
        {own ? <span className="sr-only">: sent by the kernel on its own</span> : null}
      </span>
    </button>
  );
});
