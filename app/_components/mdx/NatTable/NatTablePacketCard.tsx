import { endpointText, type Packet } from '@/app/_lib/nat';

/** One packet's header fields; fields that differ from `compare` are marked as rewritten. */
export function NatTablePacketCard({ title, packet, compare }: { title: string; packet: Packet | null; compare?: Packet }) {
  const changed = (side: 'source' | 'destination') =>
    compare !== undefined && packet !== null && endpointText(packet[side]) !== endpointText(compare[side]);
  return (
    <div className="min-w-0 rounded-md border border-gray-200 p-2 dark:border-gray-700">
      <p className="text-xs font-semibold uppercase tracking-wide text-gray-700 dark:text-gray-300">{title}</p>
      {packet === null ? (
        <p className="mt-1 text-sm text-gray-800 dark:text-gray-200">Nothing: the packet was thrown away.</p>
      ) : (
        <dl className="mt-1 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-sm">
          <dt className="text-gray-700 dark:text-gray-300">Protocol</dt>
          <dd className="font-mono text-gray-900 dark:text-gray-100">{packet.protocol.toUpperCase()}</dd>
          {(['source', 'destination'] as const).map((side) => (
            <div key={side} className="contents">
              <dt className="text-gray-700 dark:text-gray-300">{side === 'source' ? 'Source' : 'Destination'}</dt>
              <dd className="break-all font-mono text-gray-900 dark:text-gray-100">
                {changed(side) ? (
                  <>
                    <mark className="rounded bg-amber-200 px-1 font-bold text-amber-950 dark:bg-amber-700 dark:text-white">{endpointText(packet[side])}</mark>
                    <span className="ml-1 whitespace-nowrap break-normal font-sans text-xs text-gray-700 dark:text-gray-300">(rewritten)</span>
                  </>
                ) : (
                  endpointText(packet[side])
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
