'use client';
import { useEffect, useState } from 'react';
import { SCENARIOS, isScenarioName, type ScenarioName } from '@/content/scenarios';
import { SocketLab } from '../mdx/SocketLab';
import { ScenarioPicker } from './ScenarioPicker';

/** The free playground, with an optional guided scenario picked from the list (kept in the URL hash). */
export function Playground() {
  const [scenario, setScenario] = useState<ScenarioName | ''>('');
  useEffect(() => {
    const fromHash = location.hash.slice(1);
    if (isScenarioName(fromHash)) setScenario(fromHash);
  }, []);
  function pick(v: string) {
    setScenario(v as ScenarioName | '');
    history.replaceState(null, '', v ? `#${v}` : location.pathname);
  }
  return (
    <>
      <div className="flex flex-wrap items-end gap-3">
        <ScenarioPicker value={scenario} onChange={pick} testId="scenario-picker" />
        {scenario ? <p className="m-0 max-w-xl text-sm text-gray-700 dark:text-gray-300">{SCENARIOS[scenario].summary}</p> : null}
      </div>
      <SocketLab key={scenario || 'free'} scenario={scenario || undefined} headingLevel={2} />
    </>
  );
}
