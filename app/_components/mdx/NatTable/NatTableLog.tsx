import { endpointText, type Packet, type SendResult } from '@/app/_lib/nat';

const WORD: Record<SendResult['outcome'], string> = {
  translated: 'translated',
  reply: 'reply let in',
  forwarded: 'forwarded',
  dropped: 'dropped',
  local: 'stayed on the LAN',
};

const flow = (p: Packet) => `${p.protocol.toUpperCase()} ${endpointText(p.source)} → ${endpointText(p.destination)}`;

/** The packets sent so far, newest first, each as it arrived and as it left the router. */
export function NatTableLog({ log }: { log: SendResult[] }) {
  if (log.length < 2) return null;
  return (
    <details className="rounded-lg border border-gray-200 p-3 text-sm dark:border-gray-700">
      <summary className="cursor-pointer font-semibold text-gray-800 dark:text-gray-200">Packets so far ({log.length}, newest first)</summary>
      <ol className="mt-2 space-y-1.5">
        {log.map((r, i) => (
          <li key={log.length - i} className="break-words font-mono text-xs text-gray-900 dark:text-gray-100">
            <span className="font-sans font-semibold">{r.before.direction === 'outbound' ? 'Out' : 'In'}, {WORD[r.outcome]}:</span> {flow(r.before)}
            {r.after && r.outcome !== 'local' ? (
              <>
                {' '}
                <span className="font-sans text-gray-700 dark:text-gray-300">became</span> {flow(r.after)}
              </>
            ) : null}
          </li>
        ))}
      </ol>
    </details>
  );
}
