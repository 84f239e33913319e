import { crossingWords, type StepPacketRow } from '@/app/_lib/lab/packets/step-packets';
import { RewrittenSummary } from './RewrittenSummary';

/** The step's packets as a table, for reading across and for screen readers: the drawing's text twin. */
export function StepPacketTable({ rows }: { rows: readonly StepPacketRow[] }) {
  return (
    <details className="text-xs" data-testid="step-packet-table">
      <summary className="cursor-pointer">The same packets as a table</summary>
      <div className="mt-1 overflow-x-auto" tabIndex={0} role="region" aria-label="This step's packets (scrolls sideways)">
        <table className="w-full border-collapse text-left">
          <caption className="sr-only">Packets this step caused, in capture order</caption>
          <thead>
            <tr className="bg-gray-100 dark:bg-gray-800">
              <th scope="col" className="px-1">No.</th>
              <th scope="col" className="px-1">Link</th>
              <th scope="col" className="px-1">From → to</th>
              <th scope="col" className="px-1">Packet</th>
              <th scope="col" className="px-1">The router</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.packet.n} data-packet={row.packet.n} data-link={row.packet.link}>
                <td className="px-1">{row.packet.n}</td>
                <td className="px-1">{row.packet.link}</td>
                <td className="px-1">{row.lanes.from && row.lanes.to ? `${row.lanes.from} → ${row.lanes.to}` : '—'}</td>
                <td className="px-1 font-mono [overflow-wrap:anywhere]">
                  <RewrittenSummary parts={row.parts} afterRouter={row.afterRouter} />
                </td>
                <td className="px-1">{crossingWords(row) ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
