import { Fragment, type ReactNode } from 'react';
import type { NetworkFacts } from '@/app/_lib/ip-explorer';

/** Lets a long IPv6 address wrap after a colon or dot rather than in the middle of a group. */
function wrappable(text: string): ReactNode {
  return text.split(/(?<=[:.])/).map((part, i) => (
    <Fragment key={i}>
      {part}
      <wbr />
    </Fragment>
  ));
}

/** The numbers of a CIDR block: where it starts and ends, how big it is, its mask. */
export function IpExplorerFacts({ facts, showMixed }: { facts: NetworkFacts; showMixed: boolean }) {
  const rows: [string, string][] = [
    ['Network', facts.cidr],
    ...(facts.broadcast ? ([['Broadcast', facts.broadcast]] as [string, string][]) : []),
    ['First usable host', facts.firstHost],
    ['Last usable host', facts.lastHost],
    ['Addresses', facts.usableText ? `${facts.sizeText} (${facts.usableText} usable by machines)` : facts.sizeText],
    ['Netmask', facts.netmask],
    ...(facts.wildcard ? ([['Wildcard mask', facts.wildcard]] as [string, string][]) : []),
  ];
  return (
    <div className="rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <p className="text-sm font-semibold text-gray-800 dark:text-gray-200">The network {facts.cidr}</p>
      <dl className="mt-2 grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[max-content_minmax(0,1fr)] sm:gap-y-1">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="mt-1.5 font-semibold text-gray-700 sm:mt-0 dark:text-gray-300">{k}</dt>
            <dd className="font-mono text-gray-900 [overflow-wrap:anywhere] dark:text-gray-100">{wrappable(v)}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-2 text-sm text-gray-700 dark:text-gray-300">{facts.hostNote}</p>
      {showMixed && facts.mixedNote ? <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">{facts.mixedNote}</p> : null}
    </div>
  );
}
