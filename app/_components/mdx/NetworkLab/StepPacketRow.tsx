'use client';
import { memo } from 'react';
import { crossingWords, type StepPacketRow as Row } from '@/app/_lib/lab/packets/step-packets';
import { laneColor } from '@/app/_lib/lab/lane-colors';
import { RewrittenSummary } from './RewrittenSummary';

interface Props {
  row: Row;
  lanes: string[];
  gridRow: number;
  selected: boolean;
  onSelect: (n: number) => void;
}

/**
 * One packet under a scenario step: an arrow from the sender's host lane to the receiver's, then
 * its link and summary, the endpoints the router rewrote marked. A button: it opens the packet.
 */
export const StepPacketRow = memo(function StepPacketRow({ row, lanes, gridRow, selected, onSelect }: Props) {
  const { packet, lanes: ends } = row;
  const a = ends.from ? lanes.indexOf(ends.from) : -1;
  const b = ends.to ? lanes.indexOf(ends.to) : -1;
  const known = a >= 0 && b >= 0;
  const first = known ? Math.min(a, b) : 0;
  const last = known ? Math.max(a, b) : lanes.length - 1;
  const rightward = !known || b > a;
  const color = laneColor(lanes, ends.from ?? lanes[0]);
  const crossing = crossingWords(row);
  return (
    <div role="listitem" className="min-w-0" style={{ gridColumn: `${first + 1} / ${last + 2}`, gridRow }}>
      <button
        type="button"
        onClick={() => onSelect(packet.n)}
        aria-pressed={selected}
        className={`block w-full min-w-0 rounded px-1 py-0.5 text-left hover:bg-gray-100 dark:hover:bg-gray-800 ${selected ? 'ring-2 ring-blue-500' : ''}`}
        data-testid="step-packet"
        data-packet={packet.n}
        data-link={packet.link}
        data-from={ends.from ?? ''}
        data-to={ends.to ?? ''}
        data-rewritten={row.crossing?.rewritten.join(' ') ?? ''}
        data-after-router={row.afterRouter ? 'true' : undefined}
      >
        <span className="sr-only">
          Packet {packet.n} on {packet.link}
          {known ? `, ${ends.from} to ${ends.to}` : ''}:{' '}
        </span>
        <span aria-hidden="true" className={`flex items-center ${color.text}`}>
          {known && !rightward ? <span className="text-[0.6rem] leading-none">◀</span> : null}
          {known ? <span className={`h-0.5 flex-1 ${color.line}`} /> : <span className="text-[0.6rem] leading-none">•</span>}
          {known && rightward ? <span className="text-[0.6rem] leading-none">▶</span> : null}
        </span>
        <span className="block font-mono text-[0.7rem] leading-tight text-gray-800 [overflow-wrap:anywhere] dark:text-gray-200">
          <span className="text-gray-600 dark:text-gray-400">{packet.link} </span>
          <RewrittenSummary parts={row.parts} afterRouter={row.afterRouter} />
        </span>
        {crossing ? (
          <span className="mt-0.5 block text-[0.7rem] leading-tight text-orange-900 dark:text-orange-200" data-testid="step-crossing">
            {crossing}
          </span>
        ) : null}
      </button>
    </div>
  );
});
