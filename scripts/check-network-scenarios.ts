/**
 * Build-time check of the network scenarios in content/network-scenarios/ (issue 18), run with the
 * lesson check by scripts/check-content.ts: each file against content/network-scenario-schema.ts
 * (its network parts, then every call through the socket scenarios' own check), its name against its
 * file name, and the index against the files, so none is left out or listed twice. The checking
 * itself is shared with the guided scenarios (scenario-files.ts).
 */
import { networkScenarioProblems } from '../content/network-scenario-schema.ts';
import { NETWORK_SCENARIOS } from '../content/network-scenarios/index.ts';
import { checkAllScenariosOf, checkScenarioFileOf, type ScenarioKind, type ScenarioReport } from './scenario-files.ts';

export type NetworkScenarioReport = ScenarioReport;

const NETWORK: ScenarioKind = { dir: 'content/network-scenarios', index: NETWORK_SCENARIOS, problems: networkScenarioProblems };

/** Checks one file; `index` (name to scenario) must list the file's scenario under its own name. */
export function checkNetworkScenarioFile(file: string, index: Record<string, unknown> = NETWORK_SCENARIOS): Promise<NetworkScenarioReport> {
  return checkScenarioFileOf(NETWORK, file, index);
}

export function checkAllNetworkScenarios(): Promise<NetworkScenarioReport[]> {
  return checkAllScenariosOf(NETWORK);
}
