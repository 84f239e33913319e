'use client';
import { memo } from 'react';
import { peerLane, type SockView, type StepView } from '@/app/_lib/lab/state';
import { laneColor } from '@/app/_lib/lab/lane-colors';
import { TimelineRow } from './TimelineRow';
import { packetsOfStep, type PacketsState } from '@/app/_lib/lab/packets/store';

interface Props {
  /** The block's steps, in order. */
  steps: StepView[];
  sockets: SockView[];
  lanes: string[];
  /** One of the newest blocks, always drawn; older ones are skipped while out of view (see timeline-blocks.ts). */
  live: boolean;
  /** The selected step if it is in this block, else null. */
  selected: number | null;
  onSelect: (seq: number) => void;
  /** The session's packets, shown under their calls when given. */
  packets?: PacketsState;
  selectedPacket?: number | null;
  onSelectPacket?: (n: number) => void;
}

const sameSteps = (a: StepView[], b: StepView[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/** Whether any of the block's steps gained a packet (their groups' arrays are replaced only then). */
function samePackets(steps: StepView[], a: PacketsState | undefined, b: PacketsState | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return steps.every((s) => {
    const x = packetsOfStep(a, s);
    const y = packetsOfStep(b, s);
    return x.caused === y.caused && x.after === y.after;
  });
}

/**
 * One block of timeline rows. A new step re-renders only the block it joins: the others hold the
 * same step objects and are left alone.
 */
export const TimelineBlock = memo(
  function TimelineBlock({ steps, sockets, lanes, live, selected, onSelect, packets, selectedPacket = null, onSelectPacket }: Props) {
    // The block's height is remembered while it is drawn (contain-intrinsic-size: auto), so it
    // keeps it once skipped. Its padding leaves room for the focus ring, which containment clips;
    // the negative margin keeps the gap between blocks the same as between rows.
    return (
      <div className={`-mb-1 px-1 pt-1 [contain-intrinsic-size:auto_60rem] [contain:content] ${live ? '' : '[content-visibility:auto]'}`}>
        {steps.map((step) => {
          const column = Math.max(0, lanes.indexOf(step.actor));
          const peer = peerLane(sockets, step);
          const peerColumn = peer === null ? null : lanes.indexOf(peer);
          const mine = packets ? packetsOfStep(packets, step) : null;
          const has = mine !== null && (mine.caused.length > 0 || mine.after.length > 0);
          return (
            <TimelineRow
              key={step.seq}
              step={step}
              lane={lanes[column] ?? step.actor}
              column={column}
              peerColumn={peerColumn !== null && peerColumn >= 0 ? peerColumn : null}
              inbound={step.op === 'accept'}
              color={laneColor(lanes, step.actor)}
              selected={selected === step.seq}
              onSelect={onSelect}
              {...(has
                ? {
                    caused: mine.caused,
                    after: mine.after,
                    sockets,
                    lanes,
                    onSelectPacket,
                    selectedPacket: selectedPacket !== null && [...mine.caused, ...mine.after].some((p) => p.n === selectedPacket) ? selectedPacket : null,
                  }
                : {})}
            />
          );
        })}
      </div>
    );
  },
  (a, b) =>
    a.live === b.live &&
    a.sockets === b.sockets &&
    a.lanes === b.lanes &&
    a.selected === b.selected &&
    a.onSelect === b.onSelect &&
    sameSteps(a.steps, b.steps) &&
    a.selectedPacket === b.selectedPacket &&
    a.onSelectPacket === b.onSelectPacket &&
    samePackets(a.steps, a.packets, b.packets),
);
