/**
 * Build-time check of the guided scenarios in content/scenarios/, run with the lesson check by
 * scripts/check-content.ts: each file's scenario against content/scenario-schema.ts (shape, "$name"
 * references, every step's arguments against the lab protocol), its name against its file name, and
 * the index (content/scenarios/index.ts) against the files, so no scenario is left out or listed twice.
 * The checking itself is shared with the network scenarios (scenario-files.ts).
 */
import { scenarioProblems } from '../content/scenario-schema.ts';
import { SCENARIOS } from '../content/scenarios/index.ts';
import { checkAllScenariosOf, checkScenarioFileOf, type ScenarioKind, type ScenarioReport } from './scenario-files.ts';

export type { ScenarioReport };

const GUIDED: ScenarioKind = { dir: 'content/scenarios', index: SCENARIOS, problems: scenarioProblems };

/**
 * Checks one scenario file. `index` is the typed index's record, name to scenario: the file's
 * scenario must be listed there under its own name.
 */
export function checkScenarioFile(file: string, index: Record<string, unknown> = SCENARIOS): Promise<ScenarioReport> {
  return checkScenarioFileOf(GUIDED, file, index);
}

export function checkAllScenarios(): Promise<ScenarioReport[]> {
  return checkAllScenariosOf(GUIDED);
}
