'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabClient } from '@/server/protocol/client';
import type { Hello } from '@/server/protocol';
import { ScenarioRunner, type StepOutcome } from '@/app/_lib/lab/scenario-runner';
import type { Scenario } from '@/content/scenarios';
import { describeCall } from '@/app/_lib/lab/state';
import { scenarioCounter } from '@/app/_lib/lab/scenario-counter';

interface Props {
  scenario: Scenario;
  client: LabClient | null;
  hello: Hello | null;
  /** Changes when a fresh session starts: the scenario starts over. */
  generation: number;
  onReset: () => void;
  /** Lets the lab's keyboard shortcut press Next. */
  nextRef: React.MutableRefObject<(() => void) | null>;
}

const SPEEDS = [
  { ms: 2500, label: 'slow' },
  { ms: 1200, label: 'normal' },
  { ms: 500, label: 'fast' },
];

function siteAddress(hello: Hello): string {
  const h = location.hostname.replace(/^\[|\]$/g, '');
  return hello.policy.addresses.includes(h) ? h : '127.0.0.1';
}

/** Next / Autoplay through a scenario's real calls, with each step's explanation. */
export function ScenarioBar({ scenario, client, hello, generation, onReset, nextRef }: Props) {
  const runner = useRef<ScenarioRunner | null>(null);
  const [index, setIndex] = useState(0);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<StepOutcome | null>(null);
  const [autoplay, setAutoplay] = useState(false);
  const [ready, setReady] = useState(false);
  const [speed, setSpeed] = useState(1200);

  useEffect(() => {
    runner.current =
      client && hello
        ? new ScenarioRunner(scenario, client, { siteAddress: siteAddress(hello), sitePort: hello.policy.sitePort ?? Number(location.port || 80), host: location.host })
        : null;
    // A ref does not re-render: without this state the Next button could stay disabled after the
    // lab opened, whenever the other resets below changed nothing (React then skips the render).
    setReady(runner.current !== null);
    setIndex(0);
    setLast(null);
    setAutoplay(false);
  }, [scenario, client, hello, generation]);

  const next = useCallback(async () => {
    const r = runner.current;
    if (!r || r.done || busy) return;
    setBusy(true);
    try {
      const outcome = await r.next();
      if (runner.current !== r) return;
      setLast(outcome);
      setIndex(r.index);
      if (r.done) setAutoplay(false);
    } finally {
      setBusy(false);
    }
  }, [busy]);
  nextRef.current = () => void next();

  useEffect(() => {
    if (!autoplay || busy) return;
    const t = setTimeout(() => void next(), speed);
    return () => clearTimeout(t);
  }, [autoplay, busy, next, speed, index]);

  const total = scenario.steps.length;
  const done = index >= total;
  const upcoming = scenario.steps[index];

  return (
    <section aria-label={`Scenario: ${scenario.title}`} className="rounded-lg border border-blue-200 bg-blue-50/70 p-3 dark:border-blue-900 dark:bg-blue-950/30" data-testid="scenario-bar" data-index={index} data-total={total}>
      <div className="flex flex-wrap items-center gap-2">
        <p className="m-0 text-sm font-bold">
          Scenario: {scenario.title}{' '}
          <span className="font-normal text-gray-700 dark:text-gray-300" data-testid="scenario-counter">
            · {scenarioCounter(index, total, upcoming?.op)}
          </span>
        </p>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <button type="button" onClick={() => void next()} disabled={!ready || busy || done} className="rounded-md bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-50" aria-keyshortcuts="n" data-testid="scenario-next">
            Next <span className="sr-only">step</span>
            <kbd className="ml-1 hidden rounded border border-blue-400 px-1 text-xs sm:inline" aria-hidden="true">N</kbd>
          </button>
          <button type="button" onClick={() => setAutoplay((a) => !a)} disabled={!ready || done} aria-pressed={autoplay} className="rounded-md border border-blue-700 px-3 py-1 text-sm text-blue-800 hover:bg-blue-100 disabled:opacity-50 dark:border-blue-400 dark:text-blue-200 dark:hover:bg-blue-900">
            {autoplay ? 'Pause' : 'Autoplay'}
          </button>
          <label className="flex items-center gap-1 text-xs">
            <span>speed</span>
            <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} className="rounded border border-gray-300 bg-white px-1 py-0.5 dark:border-gray-600 dark:bg-gray-900">
              {SPEEDS.map((s) => (
                <option key={s.ms} value={s.ms}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={onReset} className="rounded-md border border-gray-400 px-3 py-1 text-sm hover:bg-gray-100 dark:hover:bg-gray-800" aria-keyshortcuts="r">
            Reset <kbd className="ml-1 hidden rounded border border-gray-400 px-1 text-xs sm:inline" aria-hidden="true">R</kbd>
          </button>
        </div>
      </div>
      {last ? (
        <div className="mt-2 text-sm" data-testid="scenario-last">
          <p className="m-0">
            <span className="font-mono font-semibold">{describeCall({ op: last.step.op, args: last.args })}</span>{' '}
            {last.actual === 'blocked' ? <span className="font-semibold text-amber-800 dark:text-amber-300">is blocked, waiting</span> : null}
          </p>
          <p className="m-0 mt-1 text-gray-800 dark:text-gray-200">{last.step.explain}</p>
          {!last.matches ? (
            <p className="m-0 mt-1 rounded bg-amber-100 px-2 py-1 text-xs text-amber-900 dark:bg-amber-900/40 dark:text-amber-100" role="note">
              This time the kernel answered <strong>{last.actual}</strong> where the script expected <strong>{last.step.expect}</strong>. The lab shows the kernel&apos;s real answer, never the script&apos;s.
            </p>
          ) : null}
        </div>
      ) : (
        <p className="m-0 mt-2 text-sm text-gray-800 dark:text-gray-200">{scenario.summary} Press Next to make the first call.</p>
      )}
      {done ? (
        <p className="m-0 mt-2 text-sm font-semibold text-emerald-800 dark:text-emerald-300">Scenario complete. Keep going with the controls on each socket (free play), or Reset to start again.</p>
      ) : null}
    </section>
  );
}
