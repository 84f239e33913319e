'use client';
import type { IpAnalysis, KindId } from '@/app/_lib/ip-explorer';
import { IpExplorerBits } from './IpExplorerBits';
import { IpExplorerFacts } from './IpExplorerFacts';

/** Badge colours by kind; text and background pairs keep at least 4.5:1 in both themes. */
const KIND_TONE: Record<KindId, string> = {
  private: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  uniqueLocal: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  public: 'bg-blue-100 text-blue-900 dark:bg-blue-900/60 dark:text-blue-100',
  loopback: 'bg-violet-100 text-violet-900 dark:bg-violet-900/60 dark:text-violet-100',
  linkLocal: 'bg-cyan-100 text-cyan-900 dark:bg-cyan-900/60 dark:text-cyan-100',
  multicast: 'bg-fuchsia-100 text-fuchsia-900 dark:bg-fuchsia-900/60 dark:text-fuchsia-100',
  broadcast: 'bg-fuchsia-100 text-fuchsia-900 dark:bg-fuchsia-900/60 dark:text-fuchsia-100',
  documentation: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  benchmarking: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  carrierGradeNat: 'bg-orange-100 text-orange-900 dark:bg-orange-900/60 dark:text-orange-100',
  ipv4Mapped: 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
  ipv4Compatible: 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
  transition: 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
  unspecified: 'bg-gray-200 text-gray-900 dark:bg-gray-700 dark:text-gray-100',
  specialPurpose: 'bg-gray-200 text-gray-900 dark:bg-gray-700 dark:text-gray-100',
  reserved: 'bg-gray-200 text-gray-900 dark:bg-gray-700 dark:text-gray-100',
  mixed: 'bg-gray-200 text-gray-900 dark:bg-gray-700 dark:text-gray-100',
};

/** What the explorer says about one valid address or block. */
export function IpExplorerAnalysis({ a }: { a: IpAnalysis }) {
  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
        <dt className="font-semibold text-gray-700 dark:text-gray-300">Version</dt>
        <dd className="text-gray-900 dark:text-gray-100">IPv{a.version} ({a.version === 4 ? '32' : '128'} bits)</dd>
        <dt className="font-semibold text-gray-700 dark:text-gray-300">Address</dt>
        <dd className="font-mono text-gray-900 [overflow-wrap:anywhere] dark:text-gray-100">
          {a.address}
          {a.zone ? <span className="text-gray-600 dark:text-gray-400">%{a.zone}</span> : null}
          {a.prefix !== null ? `/${a.prefix}` : null}
        </dd>
        <dt className="font-semibold text-gray-700 dark:text-gray-300">Kind</dt>
        <dd>
          <span className={`inline-block rounded-md px-2 py-0.5 font-semibold ${KIND_TONE[a.kind.id]}`}>{a.kind.label}</span>
          <span className="ml-2 text-xs text-gray-600 dark:text-gray-400">{a.kind.rfc}</span>
        </dd>
      </dl>
      <p className="text-sm text-gray-800 dark:text-gray-200">{a.kind.explain}</p>
      {a.embeddedV4 ? (
        <p className="text-sm text-gray-800 dark:text-gray-200">
          The IPv4 address inside is <code className="font-mono">{a.embeddedV4.address}</code>:{' '}
          <span className={`rounded px-1.5 py-0.5 font-semibold ${KIND_TONE[a.embeddedV4.kind.id]}`}>{a.embeddedV4.kind.label}</span>.
        </p>
      ) : null}
      {a.notes.length > 0 ? (
        <ul className="list-disc space-y-1 pl-5 text-sm text-gray-700 dark:text-gray-300">
          {a.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      <IpExplorerBits groups={a.binary} version={a.version} prefix={a.prefix} hex={a.hex} decimal={a.decimal} />
      {a.network ? <IpExplorerFacts facts={a.network} showMixed={a.kind.id !== 'mixed'} /> : null}
    </div>
  );
}
