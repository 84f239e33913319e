'use client';
import { SCENARIOS, SCENARIO_NAMES, type ScenarioName } from '@/content/scenarios';

/** Choose a guided scenario for a lab, or free play. */
export function ScenarioPicker({ value, onChange, testId }: { value: ScenarioName | ''; onChange: (v: ScenarioName | '') => void; testId: string }) {
  return (
    <label className="text-sm">
      <span className="block font-medium">Guided scenario</span>
      <select
        value={value}
        onChange={(e) => onChange(e.target.value as ScenarioName | '')}
        className="mt-1 rounded-md border border-gray-400 bg-white px-2 py-1.5 dark:border-gray-600 dark:bg-gray-900"
        data-testid={testId}
      >
        <option value="">None: free play</option>
        {SCENARIO_NAMES.map((n) => (
          <option key={n} value={n}>
            {SCENARIOS[n].title}
          </option>
        ))}
      </select>
    </label>
  );
}
