'use client';
import type { PacketView } from '@/app/_lib/lab/packets/store';
import type { SockView, StepView } from '@/app/_lib/lab/state';
import { packetLanes } from '@/app/_lib/lab/packets/lanes';
import { REWRITE_WORDS, type Crossing } from '@/app/_lib/lab/packets/crossings';

interface Props {
  packets: readonly PacketView[];
  steps: readonly StepView[];
  sockets: readonly SockView[];
  lanes: readonly string[];
  selected: number | null;
  onSelect: (n: number) => void;
  /** Packets seen on both sides of the router, with what it rewrote. */
  crossings: ReadonlyMap<PacketView, Crossing>;
}

/** The step a packet was caused by (or followed), as its number, for the table. */
function stepOf(p: PacketView, steps: readonly StepView[]): string {
  if (p.cause !== undefined) {
    const s = steps.find((x) => x.id === p.cause);
    return s ? `step ${s.seq}` : '—';
  }
  const after = p.group.startsWith('after:') ? Number(p.group.slice(6)) : 0;
  return after ? `after step ${after} (kernel)` : 'kernel';
}

/**
 * The packet list as a table: the same packets as the timeline's arrows, for screen readers and
 * for reading across (time, link, who to whom, what, which call).
 */
export function PacketTable({ packets, steps, sockets, lanes, selected, onSelect, crossings }: Props) {
  const t0 = packets[0]?.time ?? 0;
  const laneList = [...lanes];
  return (
    <div className="max-h-80 overflow-auto rounded border border-gray-200 dark:border-gray-700" tabIndex={0} role="region" aria-label="Packet list (scrolls)">
      <table className="w-full border-collapse text-left text-xs" data-testid="packet-table">
        <caption className="sr-only">Captured packets of this session, in order</caption>
        <thead className="sticky top-0 bg-gray-100 dark:bg-gray-800">
          <tr>
            <th scope="col" className="px-1">No.</th>
            <th scope="col" className="px-1">Time (s)</th>
            <th scope="col" className="px-1">Link</th>
            <th scope="col" className="px-1">From → to</th>
            <th scope="col" className="px-1">Packet</th>
            <th scope="col" className="px-1">Call</th>
          </tr>
        </thead>
        <tbody>
          {packets.map((p) => {
            const ends = packetLanes(p, sockets, laneList);
            const crossing = crossings.get(p);
            return (
              <tr key={p.n} data-packet={p.n} aria-selected={selected === p.n} className={selected === p.n ? 'bg-blue-50 dark:bg-blue-950' : ''}>
                <td className="px-1">
                  <button type="button" onClick={() => onSelect(p.n)} className="text-blue-800 underline dark:text-blue-300" aria-label={`Open packet ${p.n}`}>
                    {p.n}
                  </button>
                </td>
                <td className="px-1 font-mono">{((p.time - t0) / 1000).toFixed(6)}</td>
                <td className="px-1">
                  {p.link}
                  {p.host ? ` (${p.host})` : ''}
                </td>
                <td className="px-1">{ends.from && ends.to ? `${ends.from} → ${ends.to}` : '—'}</td>
                <td className="px-1 font-mono [overflow-wrap:anywhere]">
                  {p.summary}
                  {crossing ? (
                    <span className="ml-1 rounded bg-orange-200 px-1 font-sans text-gray-900 dark:bg-orange-800 dark:text-white" data-testid="crossing-mark">
                      {crossing.rewritten.length ? `rewritten: ${crossing.rewritten.map((r) => REWRITE_WORDS[r]).join(', ')}` : 'passed the router unchanged'} (packet {crossing.twin.n} on {crossing.twin.link})
                    </span>
                  ) : null}
                </td>
                <td className="px-1">{stepOf(p, steps)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
