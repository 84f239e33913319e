'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabClient } from '@/server/protocol/client';
import type { Hello, ProtocolNetworkView } from '@/server/protocol';
import { ScenarioRunner, type StepOutcome } from '@/app/_lib/lab/scenario-runner';
import { describeCall, describeResult, type StepView } from '@/app/_lib/lab/state';
import { scenarioCounter } from '@/app/_lib/lab/scenario-counter';
import type { PacketsState } from '@/app/_lib/lab/packets/store';
import type { StepCapture } from '@/app/_lib/lab/packets/use-step-capture';
import type { NetworkScenario, NetworkScenarioStep } from '@/content/network-scenarios';
import { ScenarioLook, lookId } from './ScenarioLook';
import { ScenarioStepPackets } from './ScenarioStepPackets';
import { BUTTON } from './styles';

interface Props {
  scenario: NetworkScenario;
  client: LabClient | null;
  hello: Hello | null;
  /** Changes when a fresh session starts (a reconnect): the scenario starts over, as the network is gone. */
  generation: number;
  /** Every step of the session: the answer shown is the lab's own step event for the call. */
  steps: readonly StepView[];
  view: ProtocolNetworkView | null;
  /** Reads the network from the kernel again; the step's tables show once it is done. */
  reread: () => Promise<void>;
  /** The session's packets, shown under each step that caused some. */
  packets?: PacketsState;
  /** Capture, started before the first step so every step's packets are kept. */
  capture?: StepCapture;
}

/** The command ids of the guide's calls start with this: the widget leaves reading the network after them to the guide. */
export const GUIDE_ID_PREFIX = 'guide-';

function siteAddress(hello: Hello): string {
  const h = location.hostname.replace(/^\[|\]$/g, '');
  return hello.policy.addresses.includes(h) ? h : '127.0.0.1';
}

/** The hosts a step's call ran on, for the packet view. */
function hostsOf(step: NetworkScenarioStep, sockHosts: Map<string, string>, args: Record<string, unknown>): string[] {
  const own = typeof args.host === 'string' ? args.host : typeof args.sock === 'string' ? sockHosts.get(args.sock) : undefined;
  return own ? [own] : step.op === 'network' ? ['laptop', 'phone', 'router', 'server'] : [];
}

/**
 * A lesson's guided walk through the learner's own network: Next makes the step's real call, then
 * the page reads the network again and shows the kernel's answer, what it teaches, and the tables
 * the step points at. The whole network stays below for free play.
 */
export function NetworkScenarioBar({ scenario, client, hello, generation, steps, view, reread, packets, capture }: Props) {
  const runner = useRef<ScenarioRunner | null>(null);
  const [index, setIndex] = useState(0);
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<StepOutcome | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    runner.current =
      client && hello
        ? new ScenarioRunner(
            scenario,
            client,
            { siteAddress: siteAddress(hello), sitePort: hello.policy.sitePort ?? Number(location.port || 80), host: location.host },
            `${GUIDE_ID_PREFIX}${Date.now().toString(36)}-`,
          )
        : null;
    setReady(runner.current !== null);
    setIndex(0);
    setLast(null);
  }, [scenario, client, hello, generation]);

  const next = useCallback(async () => {
    const r = runner.current;
    if (!r || r.done || busy) return;
    setBusy(true);
    try {
      if (r.index === 0) await capture?.start();
      const outcome = await r.next();
      if (runner.current !== r) return;
      // The tables are read after the call, so what the step points at is the kernel's state now.
      await reread();
      if (runner.current !== r) return;
      setLast(outcome);
      setIndex(r.index);
    } finally {
      setBusy(false);
    }
  }, [busy, reread, capture]);

  // A network made with the free-play button: the guide's first step would be refused (one network a session).
  const madeElsewhere = index === 0 && view !== null && !busy;
  const total = scenario.steps.length;
  const done = index >= total;
  const upcoming = scenario.steps[index];
  const step = last?.step as NetworkScenarioStep | undefined;
  const event = last ? [...steps].reverse().find((s) => s.id === last.id) : undefined;
  const sockHosts = new Map(steps.flatMap((s) => (s.op === 'socket' && s.result && typeof s.args.host === 'string' ? [[s.result.sock, s.args.host] as const] : [])));

  return (
    <section
      aria-label={`Guided: ${scenario.title}`}
      className="rounded-lg border border-blue-200 bg-blue-50/70 p-3 dark:border-blue-900 dark:bg-blue-950/30"
      data-testid="network-scenario"
      data-index={index}
      data-total={total}
      data-busy={busy}
    >
      <div className="flex flex-wrap items-center gap-2">
        <p className="m-0 text-sm font-bold">
          {scenario.title}{' '}
          <span className="font-normal text-gray-700 dark:text-gray-300" data-testid="network-scenario-counter">
            · {scenarioCounter(index, total, upcoming?.op)}
          </span>
        </p>
        <button
          type="button"
          className={`${BUTTON} ml-auto`}
          onClick={() => void next()}
          // Busy is aria-disabled, not disabled: a disabled button drops the keyboard focus, and a
          // learner pressing Enter step after step would have to find the button again each time.
          disabled={!ready || done || madeElsewhere}
          aria-disabled={busy}
          data-testid="network-scenario-next"
        >
          {busy ? 'Asking the kernel…' : index === 0 ? 'Start: create my network' : 'Next step'}
        </button>
      </div>
      {last && step ? (
        <div className="mt-2 space-y-1 text-sm" data-testid="network-scenario-step" data-step={index} data-outcome={last.actual}>
          <p className="m-0 text-gray-800 dark:text-gray-200">{step.explain}</p>
          <p className="m-0 break-words rounded bg-white px-2 py-1 font-mono text-xs dark:bg-gray-900" data-testid="network-scenario-answer">
            <span className="sr-only">The kernel answered: </span>
            {describeCall({ op: step.op, args: last.args })} <span className="font-semibold">{event ? describeResult(event) : last.actual}</span>
          </p>
          <p className="m-0" data-testid="network-scenario-teaches">
            <span className="font-semibold">What this shows: </span>
            {step.teaches}
          </p>
          {!last.matches ? (
            <p className="m-0 rounded bg-amber-100 px-2 py-1 text-xs text-amber-900 dark:bg-amber-900/40 dark:text-amber-100" role="note">
              This time the kernel answered <strong>{last.actual}</strong> where the lesson expected <strong>{step.expect}</strong>. The page shows the kernel&apos;s real answer, never the script&apos;s.
            </p>
          ) : null}
          {step.look?.length && view ? (
            <div className="grid gap-2 rounded bg-white p-2 sm:grid-cols-2 dark:bg-gray-900" aria-label="Read from the kernel after this step">
              {step.look.map((l) => (
                <ScenarioLook key={lookId(l)} look={l} view={view} />
              ))}
            </div>
          ) : null}
          <ScenarioStepPackets stepId={last.id} hosts={hostsOf(step, sockHosts, last.args)} packets={packets} view={view} refused={capture?.refused} />
        </div>
      ) : madeElsewhere ? (
        <p className="m-0 mt-2 text-sm text-gray-800 dark:text-gray-200" data-testid="network-scenario-blocked">
          The guided steps start by creating a fresh network. To take them, remove the network you made below first.
        </p>
      ) : (
        <p className="m-0 mt-2 text-sm text-gray-800 dark:text-gray-200">{scenario.summary} Each step is one real call; the tables it points at are read from the kernel after it.</p>
      )}
      {done ? (
        <p className="m-0 mt-2 text-sm font-semibold text-emerald-800 dark:text-emerald-300" data-testid="network-scenario-done">
          That was the last step. Your network stays: try your own calls, pings and rules on it below.
        </p>
      ) : null}
    </section>
  );
}
