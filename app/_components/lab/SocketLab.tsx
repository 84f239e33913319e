'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Hello } from '@/server/protocol';
import { useLabSession } from '@/app/_lib/lab/use-lab-session';
import { SCENARIOS, type ScenarioName } from '@/content/scenarios';
import { describeCall, describeResult, lanesOf } from '@/app/_lib/lab/state';
import { checkedCommand } from '@/app/_lib/lab/checked-command';
import { ActorLanes } from './ActorLanes';
import type { CallRequest } from './CallForm';
import { CodeView } from './CodeView';
import { EngineNotice } from './EngineNotice';
import { JoinFromTerminal } from './JoinFromTerminal';
import { KernelPanel } from './KernelPanel';
import { LabStatus } from './LabStatus';
import { NewSocketForm } from './NewSocketForm';
import { ScenarioBar } from './ScenarioBar';
import { Timeline } from './Timeline';

export interface SocketLabProps {
  scenario?: ScenarioName;
  title?: string;
  /** Mirror another session read-only (a presenter's), given its watch token. */
  watch?: string;
  /** Called with each session's hello (the class dashboard takes the watch token from it). */
  onHello?: (hello: Hello) => void;
}

function isTyping(el: EventTarget | null): boolean {
  return el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/** The live lab: real socket calls on the server, one per click, with the kernel's view beside them. */
export default function SocketLab({ scenario, title, watch, onHello }: SocketLabProps) {
  const lab = useLabSession({ watch });
  const { state, status } = lab;
  const viewer = Boolean(watch);
  useEffect(() => {
    if (state.hello) onHello?.(state.hello);
  }, [state.hello, onHello]);
  const def = scenario ? SCENARIOS[scenario] : undefined;
  const laneList = lanesOf(state);
  const laneKey = laneList.join('\0');
  // The same array while the lanes are the same, so memoised children skip a redraw.
  const lanes = useMemo(() => laneList, [laneKey]);
  const nextRef = useRef<(() => void) | null>(null);
  const [showClosed, setShowClosed] = useState(false);
  const [codeOpen, setCodeOpen] = useState(false);

  const { call } = lab;
  const onCall = useCallback(
    (req: CallRequest) => {
      // A form's fields are checked against the op's schema here; one that does not fit is not sent.
      const checked = checkedCommand(req.op, req.args);
      if (checked.ok) void call(checked.command.op, checked.command.args);
    },
    [call],
  );

  const last = state.steps[state.steps.length - 1];
  const announcement = last ? `${last.actor}: ${describeCall(last)} ${describeResult(last)}` : '';

  function onKeyDown(e: React.KeyboardEvent) {
    if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    if (viewer) return;
    if (e.key === 'n' || e.key === 'N') {
      nextRef.current?.();
      e.preventDefault();
    } else if (e.key === 'r' || e.key === 'R') {
      lab.reset();
      e.preventDefault();
    }
  }

  const heading = title ?? (viewer ? 'following the instructor' : def ? def.title : 'Socket playground');
  // Each part of the lab is its own stacking context ([&>*]:isolate), which Chromium paints as a
  // layer of its own: a new step repaints the timeline without walking every socket card's form.
  return (
    <section
      aria-label={`Live lab: ${heading}`}
      className="not-prose my-8 space-y-3 [&>*]:isolate rounded-2xl border border-gray-300 bg-white p-3 text-gray-900 shadow-sm sm:p-4 dark:border-gray-700 dark:bg-gray-950 dark:text-gray-100"
      onKeyDown={onKeyDown}
      data-testid="socket-lab"
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 className="m-0 text-base font-bold">
          Live lab: {heading}
        </h3>
        <LabStatus status={status} hello={state.hello} />
        {viewer ? (
          <span className="ml-auto rounded bg-gray-100 px-2 py-0.5 text-xs font-semibold dark:bg-gray-800">read-only view</span>
        ) : !def ? (
          <button type="button" onClick={lab.reset} className="ml-auto rounded-md border border-gray-400 px-3 py-1 text-sm hover:bg-gray-100 dark:hover:bg-gray-800" aria-keyshortcuts="r">
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
      {state.hello ? <EngineNotice hello={state.hello} /> : null}
      {def && !viewer ? <ScenarioBar scenario={def} client={lab.client} hello={state.hello} generation={lab.generation} onReset={lab.reset} nextRef={nextRef} /> : null}
      <div className="flex flex-wrap items-end justify-between gap-2">
        {viewer ? <p className="m-0 text-sm text-gray-700 dark:text-gray-300">You see every call as it happens; the controls are the presenter&apos;s.</p> : <NewSocketForm lanes={lanes} disabled={status !== 'open'} onCall={onCall} />}
        {state.sockets.some((s) => s.closed) ? (
          <label className="flex items-center gap-1 text-xs">
            <input type="checkbox" checked={showClosed} onChange={(e) => setShowClosed(e.target.checked)} /> show closed sockets
          </label>
        ) : null}
      </div>
      <ActorLanes lanes={lanes} sockets={state.sockets} kernel={state.kernel} policy={state.hello?.policy ?? null} connected={status === 'open'} readOnly={viewer} showClosed={showClosed} onCall={onCall} />
      <KernelPanel rows={state.kernel} previous={state.kernelPrevious} error={state.kernelError} />
      <JoinFromTerminal sockets={state.sockets} />
      <Timeline steps={state.steps} sockets={state.sockets} lanes={lanes} />
      <details className="rounded-lg border border-gray-200 p-2 dark:border-gray-700" onToggle={(e) => setCodeOpen(e.currentTarget.open)}>
        <summary className="cursor-pointer text-sm font-bold">Code view: these steps as Python, C and Node.js programs</summary>
        {/* Generated only while open: it is rebuilt from every step on each change. */}
        {codeOpen ? (
          <div className="mt-2">
            <CodeView steps={state.steps} />
          </div>
        ) : null}
      </details>
      <p className="m-0 text-xs text-gray-600 dark:text-gray-400">
        Shortcuts while the lab has focus: <kbd>N</kbd> next step, <kbd>R</kbd> reset. Every call runs for real on the server; payloads are shown as text.
      </p>
      <div aria-live="polite" className="sr-only" data-testid="lab-announcer">
        {announcement}
      </div>
    </section>
  );
}
