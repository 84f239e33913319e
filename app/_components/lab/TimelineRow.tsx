'use client';
import { memo, type CSSProperties } from 'react';
import { describeCall, describeResult, type SockView, type StepView } from '@/app/_lib/lab/state';
import { outcomeOf } from '@/app/_lib/lab/outcome';
import type { LaneColor } from '@/app/_lib/lab/lane-colors';
import type { PacketView } from '@/app/_lib/lab/packets/store';
import { packetLanes } from '@/app/_lib/lab/packets/lanes';
import { TimelinePacket } from './packets/TimelinePacket';

const NO_PACKETS: readonly PacketView[] = [];

interface Props {
  step: StepView;
  /** The program this call belongs to (for screen readers). */
  lane: string;
  column: number;
  peerColumn: number | null;
  /** Arrows point to the peer, except for accept, where the connection comes from the peer. */
  inbound: boolean;
  color: LaneColor;
  selected: boolean;
  onSelect: (seq: number) => void;
  /** Packets this call sent (and the peer's answers), then those the kernel sent on its own after it (issue 17). */
  caused?: readonly PacketView[];
  after?: readonly PacketView[];
  /** Needed only with packets: to find each packet's lanes. */
  sockets?: readonly SockView[];
  lanes?: string[];
  /** The selected packet's number if it is one of this row's, else null. */
  selectedPacket?: number | null;
  onSelectPacket?: (n: number) => void;
}

/**
 * Where the arrowhead goes, as a share of the arrow's columns. An outbound arrow ends in the middle
 * of the peer's empty column. An inbound one (accept) points at the call's own box, which sits on
 * top of the line, so the head goes just outside that box, in the gap between the columns.
 */
function headPosition(peerOnRight: boolean, inbound: boolean, span: number): CSSProperties {
  if (inbound) return peerOnRight ? { left: `calc(${100 / span}% - 0.25rem)` } : { right: `calc(${100 / span}% - 0.25rem)` };
  return peerOnRight ? { right: `calc(${50 / span}% - 0.4rem)` } : { left: `calc(${50 / span}% - 0.4rem)` };
}

/**
 * One call in the sequence diagram: the call in its program's column, and an arrow to the other
 * program's column for connections and bytes.
 */
export const TimelineRow = memo(function TimelineRow({ step, lane, column, peerColumn, inbound, color, selected, onSelect, caused = NO_PACKETS, after = NO_PACKETS, sockets, lanes, selectedPacket = null, onSelectPacket }: Props) {
  const ms = step.end !== undefined ? step.end - step.start : null;
  // Opaque backgrounds: the arrow line runs underneath the call.
  // EINPROGRESS and EAGAIN from a non-blocking socket are expected answers: amber, like a wait.
  const outcome = outcomeOf(step);
  const tone = outcome === 'error' ? 'border-red-500 bg-red-50 dark:bg-red-950' : outcome !== 'ok' ? 'border-amber-500 bg-amber-50 dark:bg-amber-950' : `${color.border} bg-white dark:bg-gray-900`;
  const from = Math.min(column, peerColumn ?? column);
  const to = Math.max(column, peerColumn ?? column);
  return (
    // Each row is its own grid, with the timeline's column template.
    <div role="listitem" className="mb-1 grid gap-x-2 [grid-template-columns:var(--timeline-columns)]" data-seq={step.seq} data-status={step.status} data-outcome={outcome} data-op={step.op}>
      <span className="self-center pr-1 text-right font-mono text-xs text-gray-500 dark:text-gray-400" style={{ gridColumn: 1, gridRow: 1 }} aria-hidden="true">
        {step.seq}
      </span>
      {peerColumn !== null && peerColumn !== column ? (
        <span aria-hidden="true" className="relative self-center" style={{ gridColumn: `${from + 2} / ${to + 3}`, gridRow: 1 }}>
          <span className={`absolute top-1/2 block h-0.5 ${color.line}`} style={{ left: `${50 / (to - from + 1)}%`, right: `${50 / (to - from + 1)}%` }} />
          <span className={`absolute top-1/2 -translate-y-1/2 text-xs ${color.text}`} style={headPosition(peerColumn > column, inbound, to - from + 1)}>
            {(peerColumn > column) !== inbound ? '▶' : '◀'}
          </span>
        </span>
      ) : null}
      <button
        type="button"
        onClick={() => onSelect(step.seq)}
        aria-pressed={selected}
        className={`relative z-10 min-w-0 rounded-md border-l-4 border px-2 py-1 text-left text-xs shadow-sm ${tone} ${selected ? 'ring-2 ring-blue-500' : ''}`}
        style={{ gridColumn: column + 2, gridRow: 1 }}
      >
        {/* Lines break at spaces first; only a word longer than the column (a long payload) breaks inside. */}
        <span className="block font-mono font-semibold [overflow-wrap:anywhere]">{describeCall(step)}</span>
        <span className={`block font-mono [overflow-wrap:anywhere] ${outcome === 'error' ? 'text-red-800 dark:text-red-200' : outcome !== 'ok' ? 'text-amber-900 dark:text-amber-100' : 'text-gray-700 dark:text-gray-300'}`}>
          {describeResult(step)}
          {ms !== null && ms >= 50 ? <span className="text-gray-600 dark:text-gray-400"> · {ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}</span> : null}
        </span>
        <span className="sr-only">
          {' '}by {lane}, step {step.seq}
        </span>
      </button>
      {onSelectPacket && lanes && sockets
        ? [...caused, ...after].map((p, i) => {
            const ends = packetLanes(p, sockets, lanes);
            return <TimelinePacket key={p.n} packet={p} lanes={lanes} from={ends.from} to={ends.to} row={i + 2} own={i >= caused.length} selected={selectedPacket === p.n} onSelect={onSelectPacket} />;
          })
        : null}
    </div>
  );
});
