'use client';
import { useMemo, useState } from 'react';
import type { LabSessionApi } from '@/app/_lib/lab/use-lab-session';
import type { KernelSnapshot, SockView, StepView } from '@/app/_lib/lab/state';
import { crossingsOf } from '@/app/_lib/lab/packets/crossings';
import { relativeNumbers } from '@/app/_lib/lab/packets/relative';
import { socketPath } from '@/app/_lib/lab/packets/socket-path';
import type { PacketsState } from '@/app/_lib/lab/packets/store';
import { PacketDetail } from './PacketDetail';
import { PacketTable } from './PacketTable';
import { PcapDownload } from './PcapDownload';
import { TcpStateDiagram } from './TcpStateDiagram';

export interface PacketPanelProps {
  packets: PacketsState;
  steps: readonly StepView[];
  sockets: readonly SockView[];
  lanes: readonly string[];
  kernelLog: readonly KernelSnapshot[];
  call: LabSessionApi['call'];
  /** Only the session's owner may stop the capture or fetch the file. */
  owner: boolean;
  selected: number | null;
  onSelect: (n: number | null) => void;
}

/**
 * The packet view (issue 17), loaded only when opened: the packet list as a table, the opened
 * packet's fields and bytes, each TCP socket's path through the state machine, and the download.
 */
export default function PacketPanel({ packets, steps, sockets, lanes, kernelLog, call, owner, selected, onSelect }: PacketPanelProps) {
  const rel = useMemo(() => relativeNumbers(packets.list), [packets.list]);
  const crossings = useMemo(() => crossingsOf(packets.list), [packets.list]);
  const tcpSockets = sockets.filter((s) => s.type === 'tcp');
  const [sockChoice, setSockChoice] = useState<string | null>(null);
  const sock = tcpSockets.find((s) => s.handle === sockChoice) ?? tcpSockets.find((s) => s.remote) ?? tcpSockets[0];
  const path = useMemo(() => (sock ? socketPath(sock, steps, packets.list, kernelLog) : []), [sock, steps, packets.list, kernelLog]);
  const packet = packets.list.find((p) => p.n === selected) ?? null;
  const capture = packets.capture;
  return (
    <div className="space-y-3" data-testid="packet-panel">
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <span data-testid="capture-state" data-state={capture?.state ?? 'none'}>
          {capture?.state === 'on' ? `Capturing on ${capture.links.join(', ')}: ${packets.list.length} packet${packets.list.length === 1 ? '' : 's'} so far.` : capture?.state === 'off' ? 'Not capturing.' : null}
          {packets.forgotten ? ` (${packets.forgotten} older ones dropped from this page; the file still has them.)` : ''}
        </span>
        {owner ? (
          <>
            {capture?.state === 'on' ? (
              <button type="button" onClick={() => void call('capture', { action: 'stop' })} className="rounded-md border border-gray-400 px-2 py-0.5 hover:bg-gray-100 dark:hover:bg-gray-800">
                Stop capturing
              </button>
            ) : capture?.state === 'off' ? (
              <button type="button" onClick={() => void call('capture', { action: 'start' })} className="rounded-md border border-gray-400 px-2 py-0.5 hover:bg-gray-100 dark:hover:bg-gray-800">
                Capture again
              </button>
            ) : null}
            {packets.list.length ? <PcapDownload call={call} /> : null}
          </>
        ) : null}
      </div>
      {packets.list.length ? (
        <PacketTable packets={packets.list} steps={steps} sockets={sockets} lanes={lanes} selected={selected} onSelect={onSelect} crossings={crossings} />
      ) : (
        <p className="m-0 text-xs">No packets yet: make a call that talks to another socket (connect, send, sendto, close) and its packets appear here and under the call in the timeline.</p>
      )}
      {packet ? <PacketDetail key={packet.n} packet={packet} rel={rel.get(packet) ?? null} crossing={crossings.get(packet)} onClose={() => onSelect(null)} /> : null}
      {sock ? (
        <div className="space-y-1">
          {tcpSockets.length > 1 ? (
            <label className="flex items-center gap-2 text-xs">
              State machine of
              <select value={sock.handle} onChange={(e) => setSockChoice(e.target.value)} className="rounded border border-gray-400 bg-white px-1 dark:bg-gray-900" data-testid="state-socket">
                {tcpSockets.map((s) => (
                  <option key={s.handle} value={s.handle}>
                    {s.handle} ({s.actor}){s.closed ? ', closed' : ''}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <TcpStateDiagram sock={sock.handle} path={path} />
        </div>
      ) : null}
    </div>
  );
}
