import { endpointText, type Mapping } from '@/app/_lib/nat';

interface Props {
  mappings: Mapping[];
  publicAddress: string;
  onClear: () => void;
}

/** The router's translation table: which inside endpoint owns which public port, and who may answer. */
export function NatTableTranslations({ mappings, publicAddress, onClear }: Props) {
  return (
    <div>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h4 className="text-base font-bold text-gray-900 dark:text-gray-100">Translation table</h4>
        <button
          type="button"
          onClick={onClear}
          disabled={mappings.length === 0}
          className="rounded-md border border-gray-300 px-2 py-0.5 text-sm text-gray-800 hover:bg-gray-100 disabled:cursor-not-allowed disabled:opacity-60 dark:border-gray-600 dark:text-gray-100 dark:hover:bg-gray-800"
        >
          Clear table
        </button>
      </div>
      {mappings.length === 0 ? (
        <p className="mt-1 text-sm italic text-gray-700 dark:text-gray-300">Empty: send an outbound packet to create a translation.</p>
      ) : (
        <div className="mt-2 overflow-x-auto" tabIndex={0} role="region" aria-label="Translation table (scrolls sideways)">
          <table className="w-full min-w-[34rem] border-collapse text-left text-sm">
            <thead>
              <tr className="border-b border-gray-300 text-gray-700 dark:border-gray-600 dark:text-gray-300">
                <th scope="col" className="py-1 pr-3 font-semibold">Protocol</th>
                <th scope="col" className="py-1 pr-3 font-semibold">Inside</th>
                <th scope="col" className="py-1 pr-3 font-semibold">Public</th>
                <th scope="col" className="py-1 pr-3 font-semibold">Replies accepted from</th>
                <th scope="col" className="py-1 font-semibold">Made by</th>
              </tr>
            </thead>
            <tbody className="font-mono text-gray-900 dark:text-gray-100">
              {mappings.map((m) => (
                <tr key={`${m.protocol}-${m.publicPort}`} className="border-b border-gray-200 align-top dark:border-gray-700">
                  <td className="py-1.5 pr-3">{m.protocol.toUpperCase()}</td>
                  <td className="py-1.5 pr-3">{endpointText(m.internal)}</td>
                  <td className="py-1.5 pr-3">{publicAddress}:{m.publicPort}</td>
                  <td className="py-1.5 pr-3">{m.peers.join(', ')}</td>
                  <td className="py-1.5 font-sans">{m.origin === 'outbound' ? 'outbound packet' : 'forwarding rule'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="mt-2 text-xs text-gray-700 dark:text-gray-300">
        Public ports are handed out from 50000 up so you can follow along; real routers often keep the inside port when it is free,
        or pick one at random, and forget a translation after it has been idle for a while.
      </p>
    </div>
  );
}
