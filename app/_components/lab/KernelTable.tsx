'use client';
import { Fragment, useId, useState } from 'react';
import type { KernelRow } from '@/server/protocol';
import { formatEndpoint, rowChange, rowKey } from '@/app/_lib/lab/state';
import { GlossaryTerm } from '../GlossaryTerm';
import { TcpInfoDetails } from './TcpInfoDetails';

const RELATION: Record<KernelRow['relation'], string> = {
  own: '',
  'accept-queue': 'in accept queue of',
  closed: 'closed, still kept:',
  outside: 'other program, peer of',
};

function who(r: KernelRow): string {
  if (r.relation === 'own') return r.sock ?? '';
  return `${RELATION[r.relation]} ${r.of ?? ''}`;
}

/**
 * Rows of the kernel's socket table, as `ss` would print them. With `previous`, rows that are new or
 * changed since the last refresh are highlighted and the change is spelled out for screen readers.
 * A TCP row with the kernel's tcp_info has a "TCP details" button that opens it in a row below; what
 * is open stays open across refreshes (by the row's addresses), as `ss -ti` would print it again.
 */
export function KernelTable({ rows, previous, caption }: { rows: KernelRow[]; previous?: KernelRow[]; caption: string }) {
  const idBase = useId();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (key: string) =>
    setOpen((was) => {
      const next = new Set(was);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  if (rows.length === 0) {
    return (
      <p className="m-0 rounded-lg border border-gray-200 px-2 py-3 text-center text-xs text-gray-600 dark:border-gray-700 dark:text-gray-400">
        No sockets of this session in the kernel&apos;s tables yet. (A TCP socket appears once it listens or connects.)
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-gray-200 dark:border-gray-700" tabIndex={0} role="region" aria-label={caption}>
      <table className="w-full min-w-[34rem] text-left font-mono text-xs">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-gray-50 text-gray-700 dark:bg-gray-900 dark:text-gray-300">
          <tr>
            <th scope="col" className="px-2 py-1 font-semibold">Socket</th>
            <th scope="col" className="px-2 py-1 font-semibold">Proto</th>
            <th scope="col" className="px-2 py-1 font-semibold">State</th>
            <th scope="col" className="px-2 py-1 font-semibold" title="TCP: bytes received, not yet read. LISTEN: connections waiting to be accepted. UDP: kernel memory used by datagrams not yet read.">Recv-Q</th>
            <th scope="col" className="px-2 py-1 font-semibold" title="Bytes queued to send: not yet sent, or sent and not yet acknowledged. (For LISTEN, ss shows the backlog here; /proc/net/tcp does not.)">Send-Q</th>
            <th scope="col" className="px-2 py-1 font-semibold">Local</th>
            <th scope="col" className="px-2 py-1 font-semibold">Remote</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
              const { change, before } = previous ? rowChange(r, previous) : { change: null, before: undefined };
              const hl = change ? 'bg-yellow-100 dark:bg-yellow-900/40' : '';
              const listen = r.state === 'LISTEN';
              const key = rowKey(r);
              const detailsId = `${idBase}-tcp-${i}`;
              const expanded = r.tcpInfo !== undefined && open.has(key);
              return (
                <Fragment key={`${r.inode}-${r.proto}-${r.local.port}-${r.remote.address}-${r.remote.port}-${r.relation}`}>
                <tr className={`border-t border-gray-100 dark:border-gray-800 ${r.relation === 'own' ? '' : 'text-gray-600 dark:text-gray-400'} ${hl}`} data-state={r.state} data-sock={r.sock ?? ''} data-relation={r.relation}>
                  <td className="px-2 py-1 font-sans">
                    {who(r)}
                    {r.tcpInfo ? (
                      <button
                        type="button"
                        className="ml-1 rounded border border-gray-300 px-1 text-[0.7rem] text-blue-800 hover:bg-gray-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:border-gray-600 dark:text-blue-300 dark:hover:bg-gray-800"
                        aria-expanded={expanded}
                        aria-controls={expanded ? detailsId : undefined}
                        aria-label={`TCP details of ${who(r).trim() || r.proto} ${formatEndpoint(r.local)}`}
                        onClick={() => toggle(key)}
                        data-testid="tcp-info-toggle"
                      >
                        <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> TCP details
                      </button>
                    ) : null}
                  </td>
                  <td className="px-2 py-1">{r.proto}</td>
                  <td className={`px-2 py-1 font-semibold ${change === 'state' ? 'underline decoration-2' : ''}`}>
                    <GlossaryTerm term={r.state} code={false} glossaryLink={false} />
                    {change === 'state' && before ? <span className="sr-only"> (was {before.state})</span> : null}
                    {change === 'new' ? <span className="sr-only"> (new)</span> : null}
                  </td>
                  <td className="px-2 py-1" data-testid="rxq">
                    {r.rxQueue}
                    {listen ? <span className="font-sans text-gray-600 dark:text-gray-400"> waiting</span> : null}
                  </td>
                  <td className="px-2 py-1">{r.txQueue}</td>
                  <td className="px-2 py-1">{formatEndpoint(r.local)}</td>
                  <td className="px-2 py-1">{r.remote.port === 0 ? '*' : formatEndpoint(r.remote)}</td>
                </tr>
                {expanded && r.tcpInfo ? (
                  <tr className="border-t border-gray-100 bg-gray-50 dark:border-gray-800 dark:bg-gray-900/60">
                    <td colSpan={7} className="p-0">
                      <TcpInfoDetails info={r.tcpInfo} id={detailsId} label={`TCP details of ${who(r).trim() || r.proto} ${formatEndpoint(r.local)}`} />
                    </td>
                  </tr>
                ) : null}
                </Fragment>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}
