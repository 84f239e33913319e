'use client';
import { useMemo, useState } from 'react';
import { HOST_NAMES, type ProtocolNetworkView } from '@/server/protocol';
import { PacketDetail } from '@/app/_components/lab/packets/PacketDetail';
import { hostsByAddress } from '@/app/_lib/lab/packets/host-lanes';
import { relativeNumbers } from '@/app/_lib/lab/packets/relative';
import { stepPacketRows } from '@/app/_lib/lab/packets/step-packets';
import type { PacketsState } from '@/app/_lib/lab/packets/store';
import { StepPacketRow } from './StepPacketRow';
import { StepPacketTable } from './StepPacketTable';

export interface StepPacketLanesProps {
  packets: PacketsState;
  stepId: string;
  hosts: readonly string[];
  view: ProtocolNetworkView | null;
}

const LANES: string[] = [...HOST_NAMES];

/**
 * One step's packets across the four host lanes, an arrow per packet from sender to receiver (on
 * the link it was seen on), loaded with the decoder only when a step has packets. A packet's twin
 * on the router's other link sits next to it, the endpoints the router rewrote marked. Pressing a
 * packet opens its fields and bytes; the same packets are listed as a table below.
 */
export default function StepPacketLanes({ packets, stepId, hosts, view }: StepPacketLanesProps) {
  const byAddress = useMemo(() => hostsByAddress(view), [view]);
  const rows = useMemo(() => stepPacketRows(packets, stepId, byAddress), [packets, stepId, byAddress]);
  const rel = useMemo(() => relativeNumbers(packets.list), [packets.list]);
  const [selected, setSelected] = useState<number | null>(null);
  const open = rows.find((r) => r.packet.n === selected);
  return (
    <div className="space-y-2 rounded bg-white p-2 dark:bg-gray-900" data-testid="step-packet-lanes">
      <p className="m-0 text-xs font-semibold">
        Packets this call put on the wire ({rows.length}), seen on the router&apos;s links:
      </p>
      {/* The drawing: hosts as columns, each packet an arrow between two of them. The buttons name the same in words. */}
      <div className="grid grid-cols-4 gap-x-1 gap-y-0.5" role="list" aria-label="Packets of this step, between the hosts">
        {LANES.map((lane, i) => (
          <span
            key={lane}
            aria-hidden="true"
            className={`truncate border-b border-gray-300 pb-0.5 text-center font-mono text-[0.7rem] dark:border-gray-600 ${hosts.includes(lane) ? 'font-bold' : ''}`}
            style={{ gridColumn: i + 1, gridRow: 1 }}
          >
            {lane}
          </span>
        ))}
        {rows.map((row, i) => (
          <StepPacketRow key={row.packet.n} row={row} lanes={LANES} gridRow={i + 2} selected={selected === row.packet.n} onSelect={(n) => setSelected((cur) => (cur === n ? null : n))} />
        ))}
      </div>
      {open ? <PacketDetail key={open.packet.n} packet={open.packet} rel={rel.get(open.packet) ?? null} crossing={open.crossing} onClose={() => setSelected(null)} /> : null}
      <StepPacketTable rows={rows} />
    </div>
  );
}
