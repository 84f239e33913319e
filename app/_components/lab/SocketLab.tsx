'use client';
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { classTokenForLab } from '@/app/_lib/class/class-store';
import type { Hello } from '@/server/protocol';
import { useLabSession } from '@/app/_lib/lab/use-lab-session';
import { useReplay } from '@/app/_lib/lab/use-replay';
import { replayPlan, type ReplayCall } from '@/app/_lib/lab/replayer';
import { SCENARIOS, type ScenarioName } from '@/content/scenarios';
import { coachFor } from '@/app/_lib/lab/coach';
import { describeCall, describeResult, kernelAt, labAt, lanesOf, lastStepBySock } from '@/app/_lib/lab/state';
import { checkedCommand } from '@/app/_lib/lab/checked-command';
import { provisionalBySock } from '@/app/_lib/lab/provisional';
import { ActorLanes } from './ActorLanes';
import type { CallRequest } from './CallForm';
import { CoachLine } from './CoachLine';
import { CodeView } from './CodeView';
import { EngineNotice } from './EngineNotice';
import { JoinFromTerminal } from './JoinFromTerminal';
import { KernelPanel } from './KernelPanel';
import { LabStatus } from './LabStatus';
import { NewSocketForm } from './NewSocketForm';
import { PollPanel } from './PollPanel';
import { ReplayStatus } from './ReplayStatus';
import { ResetConfirm } from './ResetConfirm';
import { RewindBar } from './RewindBar';
import { SaveSession } from './SaveSession';
import { ScenarioBar } from './ScenarioBar';
import { Timeline } from './Timeline';
import { PacketSection } from './packets/PacketSection';

// Only a student in a class sees it, and it brings the class connection (and zod) with it.
const ShareLabToggle = dynamic(() => import('../class/ShareLabToggle'), { ssr: false });

export interface SocketLabProps {
  scenario?: ScenarioName;
  title?: string;
  /** Mirror another session read-only (a presenter's), given its watch token. */
  watch?: string;
  /** Called with each session's hello (the class dashboard takes the watch token from it). */
  onHello?: (hello: Hello) => void;
  /** The lab's title is an h3 inside a lesson's section; a page of its own makes it an h2. */
  headingLevel?: 2 | 3;
  /** Calls to make again as soon as the session opens ("Run it again" on a saved session). */
  runAgain?: ReplayCall[];
  /** Open the packet view (and so start capturing) from the start: for lessons about packets. */
  packets?: boolean;
}

const TOOL = 'rounded-md border border-gray-400 px-2 py-0.5 text-xs hover:bg-gray-100 disabled:opacity-50 dark:hover:bg-gray-800';

/** The live lab: real socket calls on the server, one per click, with the kernel's view beside them. */
export default function SocketLab({ scenario, title, watch, onHello, headingLevel = 3, runAgain, packets: packetsAtStart = false }: SocketLabProps) {
  const lab = useLabSession({ watch });
  // Read after mounting: the class membership lives in this browser's storage, not on the server.
  const [inClass, setInClass] = useState(false);
  useEffect(() => setInClass(!watch && classTokenForLab() !== null), [watch]);
  const { state, status } = lab;
  const viewer = Boolean(watch);
  useEffect(() => {
    if (state.hello) onHello?.(state.hello);
  }, [state.hello, onHello]);
  const def = scenario ? SCENARIOS[scenario] : undefined;
  const nextRef = useRef<(() => void) | null>(null);
  const [showClosed, setShowClosed] = useState(false);
  const [codeOpen, setCodeOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [rewindSeq, setRewindSeq] = useState<number | null>(null);
  const [packetsOpen, setPacketsOpen] = useState(packetsAtStart);
  const [packetN, setPacketN] = useState<number | null>(null);
  // A packet picked in the timeline opens the packet view at its detail.
  const openPacket = useCallback((n: number) => {
    setPacketN((cur) => (cur === n ? null : n));
    setPacketsOpen(true);
  }, []);
  const replay = useReplay(lab);
  const ranAgain = useRef(false);
  const startReplay = replay.start;
  useEffect(() => {
    if (!runAgain || ranAgain.current || status !== 'open' || state.hello?.role !== 'owner') return;
    ranAgain.current = true;
    startReplay(runAgain);
  }, [runAgain, status, state.hello, startReplay]);

  // Rewound: everything below shows the lab as it was after that step, rebuilt from the record.
  const past = useMemo(() => (rewindSeq === null ? null : labAt(state.steps, state.kernelLog, rewindSeq)), [rewindSeq, state.steps, state.kernelLog]);
  const shown = past ? { ...state, steps: past.steps, sockets: past.sockets, kernel: past.kernel } : state;
  const laneList = lanesOf(shown);
  const laneKey = laneList.join('\0');
  // The same array while the lanes are the same, so memoised children skip a redraw.
  const lanes = useMemo(() => laneList, [laneKey]);
  const lastSteps = useMemo(() => lastStepBySock(shown.steps), [shown.steps]);
  const lastPoll = useMemo(() => shown.steps.findLast((s) => s.op === 'poll'), [shown.steps]);
  const cardCalls = useMemo(() => (past ? undefined : provisionalBySock(lab.provisional)), [past, lab.provisional]);
  const kernelPrevious = past ? (kernelAt(state.kernelLog, (past.kernelAfterSeq ?? 1) - 1)?.rows ?? []) : state.kernelPrevious;

  const { call, reset } = lab;
  const onCall = useCallback(
    (req: CallRequest) => {
      // A form's fields are checked against the op's schema here; one that does not fit is not sent.
      const checked = checkedCommand(req.op, req.args);
      if (checked.ok) void call(checked.command.op, checked.command.args);
    },
    [call],
  );

  const openSockets = state.sockets.filter((s) => !s.closed).length;
  // Nothing to lose: reset at once. Otherwise ask first.
  const requestReset = useCallback(() => {
    if (state.steps.length === 0) reset();
    else setConfirming(true);
  }, [state.steps.length, reset]);
  const confirmReset = () => {
    setConfirming(false);
    setRewindSeq(null);
    reset();
  };

  const last = shown.steps[shown.steps.length - 1];
  const coached = !def && !viewer;
  const announcement = last ? `${last.actor}: ${describeCall(last)} ${describeResult(last)}${coached && !past ? ` ${coachFor(last, state.sockets, state.kernel).text}` : ''}` : '';

  function stepBack() {
    if (!state.steps.length) return;
    setRewindSeq(state.steps[Math.max(0, state.steps.length - 2)].seq);
  }

  function replayFrom(seq: number) {
    setRewindSeq(null);
    replay.start(replayPlan(state.steps, seq));
  }

  function onKeyDown(e: React.KeyboardEvent) {
    // Shortcuts only when the lab itself has focus: never while a button, a field or a card has it.
    if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey || viewer) return;
    if (e.key === 'n' || e.key === 'N') {
      if (!past) nextRef.current?.();
      e.preventDefault();
    } else if (e.key === 'r' || e.key === 'R') {
      requestReset();
      e.preventDefault();
    } else if (e.key === 'b' || e.key === 'B') {
      stepBack();
      e.preventDefault();
    }
  }

  const heading = title ?? (viewer ? 'following the instructor' : def ? def.title : 'Socket playground');
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  // Each part of the lab is its own stacking context ([&>*]:isolate), which Chromium paints as a
  // layer of its own: a new step repaints the timeline without walking every socket card's form.
  return (
    <section
      aria-label={`Live lab: ${heading}`}
      tabIndex={0}
      className="not-prose my-8 space-y-3 [&>*]:isolate rounded-2xl border border-gray-300 bg-white p-3 text-gray-900 shadow-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 sm:p-4 dark:border-gray-700 dark:bg-gray-950 dark:text-gray-100"
      onKeyDown={onKeyDown}
      data-testid="socket-lab"
      data-rewound={past ? 'true' : 'false'}
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Heading className="m-0 text-base font-bold">Live lab: {heading}</Heading>
        <LabStatus status={status} hello={state.hello} />
        {viewer ? (
          <span className="ml-auto rounded bg-gray-100 px-2 py-0.5 text-xs font-semibold dark:bg-gray-800">read-only view</span>
        ) : !def ? (
          <button type="button" onClick={requestReset} className="ml-auto rounded-md border border-gray-400 px-3 py-1 text-sm hover:bg-gray-100 dark:hover:bg-gray-800" aria-keyshortcuts="r" data-testid="lab-reset">
            Reset (close everything)
          </button>
        ) : null}
      </header>
      {lab.notice ? (
        <div role="alert" className="flex items-start gap-2 rounded-lg border border-amber-400 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950/40" data-testid="lab-notice">
          <p className="m-0">{lab.notice}</p>
          <button type="button" onClick={lab.dismissNotice} className="ml-auto rounded border border-amber-500 px-2 text-xs">
            OK
          </button>
        </div>
      ) : null}
      {confirming ? <ResetConfirm openSockets={openSockets} calls={state.steps.length} onConfirm={confirmReset} onCancel={() => setConfirming(false)} /> : null}
      {state.hello ? <EngineNotice hello={state.hello} /> : null}
      {def && !viewer ? <ScenarioBar scenario={def} client={lab.client} hello={state.hello} generation={lab.generation} onReset={requestReset} nextRef={nextRef} /> : null}
      {!viewer ? (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" onClick={stepBack} disabled={!state.steps.length || past !== null} className={TOOL} aria-keyshortcuts="b" data-testid="step-back">
            ⟲ Step back
          </button>
          <SaveSession
            build={() => (state.hello ? { title: heading, engine: state.hello.engine, steps: state.steps, kernelLog: state.kernelLog } : null)}
          />
          {inClass && state.hello?.role === 'owner' && state.hello.watchToken ? <ShareLabToggle watchToken={state.hello.watchToken} /> : null}
        </div>
      ) : null}
      {replay.progress ? <ReplayStatus progress={replay.progress} onDismiss={replay.dismiss} /> : null}
      {past && rewindSeq !== null ? (
        <RewindBar
          steps={state.steps}
          seq={rewindSeq}
          onSeq={setRewindSeq}
          onLive={() => setRewindSeq(null)}
          onReplay={def ? undefined : replayFrom}
          replayNote={def ? 'To make these calls again, press Reset and step through the scenario.' : undefined}
        />
      ) : null}
      {!past ? (
        <div className="flex flex-wrap items-end justify-between gap-2">
          {viewer ? <p className="m-0 text-sm text-gray-700 dark:text-gray-300">You see every call as it happens; the controls are the presenter&apos;s.</p> : <NewSocketForm lanes={lanes} disabled={status !== 'open'} onCall={onCall} />}
          {state.sockets.some((s) => s.closed) ? (
            <label className="flex items-center gap-1 text-xs">
              <input type="checkbox" checked={showClosed} onChange={(e) => setShowClosed(e.target.checked)} /> show closed sockets
            </label>
          ) : null}
        </div>
      ) : null}
      {!viewer && !past ? <PollPanel sockets={state.sockets} lastPoll={lastPoll} engine={state.hello?.engine} connected={status === 'open'} onCall={onCall} /> : null}
      {coached ? <CoachLine step={last} sockets={shown.sockets} kernel={shown.kernel} /> : null}
      <ActorLanes lanes={lanes} sockets={shown.sockets} kernel={shown.kernel} policy={state.hello?.policy ?? null} connected={status === 'open'} engine={state.hello?.engine} readOnly={viewer || past !== null} showClosed={showClosed} lastSteps={lastSteps} provisional={cardCalls} onCall={onCall} />
      <KernelPanel rows={shown.kernel} previous={kernelPrevious} error={past ? null : state.kernelError} recordedAfter={past ? past.kernelAfterSeq : undefined} source={state.hello?.kernelView} />
      {!past ? <JoinFromTerminal sockets={state.sockets} /> : null}
      <Timeline
        steps={shown.steps}
        sockets={shown.sockets}
        lanes={lanes}
        provisional={past ? undefined : lab.provisional}
        onRewind={viewer ? undefined : setRewindSeq}
        packets={lab.packets.list.length ? lab.packets : undefined}
        selectedPacket={packetN}
        onSelectPacket={openPacket}
      />
      <PacketSection lab={lab} need="lo" open={packetsOpen} onOpen={setPacketsOpen} steps={state.steps} sockets={state.sockets} lanes={lanes} kernelLog={state.kernelLog} selected={packetN} onSelect={setPacketN} />
      <details className="rounded-lg border border-gray-200 p-2 dark:border-gray-700" onToggle={(e) => setCodeOpen(e.currentTarget.open)}>
        <summary className="cursor-pointer text-sm font-bold">Code view: these steps as Python, C and Node.js programs</summary>
        {/* Generated only while open: it is rebuilt from every step on each change. */}
        {codeOpen ? (
          <div className="mt-2">
            <CodeView steps={shown.steps} />
          </div>
        ) : null}
      </details>
      <p className="m-0 text-xs text-gray-600 dark:text-gray-400">
        Shortcuts while the lab itself has focus (click an empty spot in it): {def ? (
          <>
            <kbd>N</kbd> next step,{' '}
          </>
        ) : null}
        <kbd>B</kbd> step back, <kbd>R</kbd> reset (asks first). Every call runs for real on the server; payloads are shown as text.
      </p>
      <div aria-live="polite" className="sr-only" data-testid="lab-announcer">
        {announcement}
      </div>
    </section>
  );
}
