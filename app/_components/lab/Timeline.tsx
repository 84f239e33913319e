'use client';
import { memo, startTransition, useCallback, useState, type CSSProperties } from 'react';
import type { SockView, StepView } from '@/app/_lib/lab/state';
import { provisionalActor, type ProvisionalCall } from '@/app/_lib/lab/provisional';
import { blocksOf, firstDrawn, isLive } from '@/app/_lib/lab/timeline-blocks';
import { laneColor } from '@/app/_lib/lab/lane-colors';
import { useFollowEnd } from '@/app/_lib/lab/use-follow-end';
import { StepDetail } from './StepDetail';
import { TimelineBlock } from './TimelineBlock';
import { TimelineProvisionalRow } from './TimelineProvisionalRow';
import type { PacketsState } from '@/app/_lib/lab/packets/store';

const NONE: readonly ProvisionalCall[] = [];

/** Rows drawn at first; earlier ones on request, so a long session stays quick to update. */
const PAGE = 150;
/** Rows that surely overflow the scroll box: each is at least 40 px tall, the box at most 30rem. */
const FULL = 12;

interface Props {
  steps: StepView[];
  /** To find the program at the other end of a call, for its arrow. */
  sockets: SockView[];
  lanes: string[];
  /** Calls made and not yet answered, drawn after the steps until their own step arrives. */
  provisional?: readonly ProvisionalCall[];
  /** Show the lab as it was after a step (the step detail offers it). */
  onRewind?: (seq: number) => void;
  /** The session's packets, drawn under the calls that caused them (issue 17), and the one opened. */
  packets?: PacketsState;
  selectedPacket?: number | null;
  onSelectPacket?: (n: number) => void;
}

/**
 * The sequence diagram: one row per call, in order, in its program's column. Memoised: a kernel
 * refresh that changes no step does not redraw it.
 */
export const Timeline = memo(function Timeline({ steps, sockets, lanes, provisional = NONE, onRewind, packets, selectedPacket = null, onSelectPacket }: Props) {
  const [selected, setSelected] = useState<number | null>(null);
  const [shown, setShown] = useState(PAGE);
  const onSelect = useCallback((seq: number) => setSelected((s) => (s === seq ? null : seq)), []);
  const { boxRef, contentRef, onScroll } = useFollowEnd<HTMLDivElement, HTMLDivElement>(steps.length > 0 || provisional.length > 0);
  const detail = steps.find((s) => s.seq === selected);
  if (!steps.length && !provisional.length) return null;
  const cols = Math.max(lanes.length, 1);
  // Two programs fit a 390 px phone without sideways scrolling: 2rem + 2 × (8.5rem + 0.5rem gap).
  // Three or more get wider columns and the box scrolls sideways: an address never wraps mid-number.
  const lane = cols <= 2 ? 8.5 : 11;
  const columns = `2rem repeat(${cols}, minmax(${lane}rem, 1fr))`;
  const minWidth = `${2 + cols * (lane + 0.5)}rem`;
  const hidden = firstDrawn(steps, shown);
  const blocks = blocksOf(hidden ? steps.slice(hidden) : steps);
  return (
    <section className="min-w-0">
      <h3 className="m-0 mb-1 text-sm font-bold">
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
      {/* A scroll box that follows the newest row unless the learner scrolls back. Once it is full its
          size is fixed and contained, so a new step lays out and repaints the box alone. (A flex
          column-reverse box would follow by itself, but laying it out costs several times more.) */}
      <div
        ref={boxRef}
        onScroll={onScroll}
        className={`overflow-auto rounded-lg border border-gray-200 bg-white dark:border-gray-800 dark:bg-gray-950 ${steps.length >= FULL ? 'h-[min(30rem,65vh)] [contain:strict]' : 'max-h-[min(30rem,65vh)]'}`}
        data-testid="timeline-scroll"
      >
        {/* Followed as a whole: a provisional row grows it as much as a step does. */}
        <div ref={contentRef} className="pb-1">
          <div className="sticky top-0 z-20 grid gap-x-2 bg-white px-1 pt-1 text-xs dark:bg-gray-950" style={{ gridTemplateColumns: columns, minWidth }} aria-hidden="true">
            <span />
            {lanes.map((l) => (
              <span key={l} className={`truncate pb-1 font-semibold ${laneColor(lanes, l).text}`}>
                {l}
              </span>
            ))}
          </div>
          {/* The column template is a variable, so a new row carries no style of its own to set. */}
          <div role="list" aria-label="Steps" style={{ minWidth, '--timeline-columns': columns } as CSSProperties}>
            {blocks.map((block, i) => (
              <TimelineBlock key={block[0].seq} steps={block} live={isLive(i, blocks.length)} sockets={sockets} lanes={lanes} selected={selected !== null && block.some((s) => s.seq === selected) ? selected : null} onSelect={onSelect} packets={packets} selectedPacket={selectedPacket} onSelectPacket={onSelectPacket} />
            ))}
          </div>
          {/* Its own list, after the steps: a provisional row is not a step, so what counts,
              numbers or selects steps never sees one. */}
          {provisional.length ? (
            <div role="list" aria-label="Calls waiting for an answer" className="px-1 pt-1" style={{ minWidth, '--timeline-columns': columns } as CSSProperties}>
              {provisional.map((call) => {
                const actor = provisionalActor(call, sockets);
                const column = lanes.indexOf(actor);
                return <TimelineProvisionalRow key={String(call.id)} call={call} lane={actor} column={column < 0 ? 0 : column} />;
              })}
            </div>
          ) : null}
        </div>
      </div>
      {detail ? (
        <div className="mt-2">
          <StepDetail step={detail} onRewind={onRewind} />
        </div>
      ) : null}
    </section>
  );
});
