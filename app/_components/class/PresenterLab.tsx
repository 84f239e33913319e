'use client';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Hello } from '@/server/protocol';
import { SCENARIOS, type ScenarioName } from '@/content/scenarios';
import { ScenarioPicker } from '../lab/ScenarioPicker';
import { SocketLab } from '../mdx/SocketLab';

interface Props {
  /** The watch token students follow now (from the dashboard), or null. */
  presenting: string | null;
  connected: boolean;
  onPresent: (watchToken: string | null) => boolean;
}

/**
 * The instructor's own lab (free play or a guided scenario) and the switch that mirrors it, read-only,
 * on every student's "Follow the instructor" page.
 */
export function PresenterLab({ presenting, connected, onPresent }: Props) {
  const id = useId();
  const [scenario, setScenario] = useState<ScenarioName | ''>('');
  const [watchToken, setWatchToken] = useState<string | null>(null);
  const [problem, setProblem] = useState('');
  const presentingRef = useRef(presenting);
  const previousToken = useRef<string | null>(null);
  useEffect(() => {
    presentingRef.current = presenting;
  }, [presenting]);

  const onHello = useCallback((hello: Hello) => setWatchToken(hello.role === 'owner' ? (hello.watchToken ?? null) : null), []);

  // A new session (another scenario, a reconnect) has a new watch token: if the class was following
  // the old one, it follows the new one, so students never stare at a session that has gone.
  useEffect(() => {
    const before = previousToken.current;
    previousToken.current = watchToken;
    if (watchToken && before && before !== watchToken && presentingRef.current === before) onPresent(watchToken);
  }, [watchToken, onPresent]);

  const presentingThis = watchToken !== null && presenting === watchToken;

  function toggle() {
    const sent = onPresent(presentingThis ? null : watchToken);
    setProblem(sent ? '' : 'Not sent: the dashboard is not connected.');
  }

  let status: string;
  if (presentingThis) status = 'Students following you see this lab live (read-only).';
  else if (presenting) status = 'Students are following another lab session of yours (an earlier page or tab). Press the button to show this one instead.';
  else status = 'Not presenting: students see only their own labs.';

  return (
    <section aria-labelledby={`${id}-h`} className="space-y-3">
      <h2 id={`${id}-h`} className="m-0 text-xl font-bold">
        Presenter mode
      </h2>
      <div className="flex flex-wrap items-end gap-3">
        <ScenarioPicker value={scenario} onChange={setScenario} testId="presenter-scenario" />
        <button
          type="button"
          aria-pressed={presentingThis}
          onClick={toggle}
          disabled={!connected || !watchToken}
          className="rounded-lg border-2 border-indigo-700 px-4 py-1.5 font-semibold text-indigo-900 hover:bg-indigo-50 disabled:opacity-60 aria-pressed:bg-indigo-700 aria-pressed:text-white dark:border-indigo-300 dark:text-indigo-100 dark:hover:bg-indigo-950 dark:aria-pressed:bg-indigo-300 dark:aria-pressed:text-gray-950"
          data-testid="present-toggle"
        >
          {presentingThis ? <span aria-hidden="true">● </span> : null}
          Present this lab to the class
        </button>
      </div>
      <p role="status" className="m-0 text-sm text-gray-700 dark:text-gray-300" data-testid="present-status">
        {problem || status}
      </p>
      {scenario ? <p className="m-0 max-w-xl text-sm text-gray-700 dark:text-gray-300">{SCENARIOS[scenario].summary}</p> : null}
      <SocketLab key={scenario || 'free'} scenario={scenario || undefined} onHello={onHello} />
    </section>
  );
}
