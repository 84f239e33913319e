'use client';
import { startTransition, useCallback, useState } from 'react';
import { peerLane, type LabState } from '@/app/_lib/lab/state';
import { laneColor } from '@/app/_lib/lab/lane-colors';
import { StepDetail } from './StepDetail';
import { TimelineRow } from './TimelineRow';

/** The sequence diagram: one row per call, in order, in its program's column. */
/** Rows drawn at first; earlier ones on request, so a long session stays quick to update. */
const PAGE = 150;

export function Timeline({ state, lanes }: { state: LabState; lanes: string[] }) {
  const [selected, setSelected] = useState<number | null>(null);
  const [shown, setShown] = useState(PAGE);
  const onSelect = useCallback((seq: number) => setSelected((s) => (s === seq ? null : seq)), []);
  const detail = state.steps.find((s) => s.seq === selected);
  if (!state.steps.length) return null;
  const cols = Math.max(lanes.length, 1);
  const columns = `2rem repeat(${cols}, minmax(9rem, 1fr))`;
  const hidden = Math.max(0, state.steps.length - shown);
  const visible = hidden ? state.steps.slice(hidden) : state.steps;
  return (
    <section aria-labelledby="timeline-heading" className="min-w-0">
      <h3 id="timeline-heading" className="m-0 mb-1 text-sm font-bold">
        Timeline
      </h3>
      <p className="m-0 mb-2 text-xs text-gray-600 dark:text-gray-400">Every call, in order, with its real result. Select one to see the details and the kernel before and after.</p>
      {hidden ? (
        <p className="m-0 mb-2 text-xs">
          {hidden} earlier step{hidden === 1 ? '' : 's'} not shown.{' '}
          {/* A transition: React renders the extra rows in slices, so the page stays responsive. */}
          <button type="button" onClick={() => startTransition(() => setShown((n) => n + PAGE * 4))} className="text-blue-700 underline dark:text-blue-300">
            Show {Math.min(hidden, PAGE * 4)} more
          </button>
        </p>
      ) : null}
      <div className="overflow-x-auto">
        <div className="grid gap-x-2 text-xs" style={{ gridTemplateColumns: columns, minWidth: `${2 + cols * 9.5}rem` }} aria-hidden="true">
          <span />
          {lanes.map((l) => (
            <span key={l} className={`truncate pb-1 font-semibold ${laneColor(lanes, l).text}`}>
              {l}
            </span>
          ))}
        </div>
        <ol className="m-0 flex list-none flex-col gap-y-1 p-0" style={{ minWidth: `${2 + cols * 9.5}rem` }} aria-label="Steps">
          {visible.map((step) => {
            const column = Math.max(0, lanes.indexOf(step.actor));
            const peer = peerLane(state, step);
            const peerColumn = peer === null ? null : lanes.indexOf(peer);
            return (
              <TimelineRow
                key={step.seq}
                step={step}
                columns={columns}
                lane={lanes[column] ?? step.actor}
                column={column}
                peerColumn={peerColumn !== null && peerColumn >= 0 ? peerColumn : null}
                inbound={step.op === 'accept'}
                color={laneColor(lanes, step.actor)}
                selected={selected === step.seq}
                onSelect={onSelect}
              />
            );
          })}
        </ol>
      </div>
      {detail ? (
        <div className="mt-2">
          <StepDetail step={detail} />
        </div>
      ) : null}
    </section>
  );
}
