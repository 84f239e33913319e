/**
 * Build-time check of the network scenarios in content/network-scenarios/ (issue 18), run with the
 * lesson check by scripts/check-content.ts: each file against content/network-scenario-schema.ts
 * (its network parts, then every call through the socket scenarios' own check), its name against its
 * file name, and the index against the files, so none is left out or listed twice.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { networkScenarioProblems } from '../content/network-scenario-schema.ts';
import { NETWORK_SCENARIOS } from '../content/network-scenarios/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'content', 'network-scenarios');
const INDEX = 'content/network-scenarios/index.ts';

export interface NetworkScenarioReport {
  file: string;
  errors: string[];
}

/** Checks one file; `index` (name to scenario) must list the file's scenario under its own name. */
export async function checkNetworkScenarioFile(file: string, index: Record<string, unknown> = NETWORK_SCENARIOS): Promise<NetworkScenarioReport> {
  const report: NetworkScenarioReport = { file: path.relative(ROOT, file), errors: [] };
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    report.errors.push(`does not load: ${(e as Error).message}`);
    return report;
  }
  if (mod.default === undefined) {
    report.errors.push('no default export (end the file with `export default scenario;`)');
    return report;
  }
  report.errors.push(...networkScenarioProblems(mod.default));
  const expected = path.basename(file, '.ts');
  const name = (mod.default as { name?: unknown }).name;
  if (name !== expected) report.errors.push(`name is "${String(name)}" but the file is ${expected}.ts: they must match`);
  if (index[expected] !== mod.default) report.errors.push(`not listed in ${INDEX} (import it and add it under '${expected}')`);
  return report;
}

export async function checkAllNetworkScenarios(): Promise<NetworkScenarioReport[]> {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .sort();
  const reports = await Promise.all(files.map((f) => checkNetworkScenarioFile(path.join(DIR, f))));
  const present = new Set(files.map((f) => f.slice(0, -3)));
  const indexErrors = Object.entries(NETWORK_SCENARIOS).flatMap(([key, s]) =>
    !present.has(key) ? [`lists '${key}' but there is no content/network-scenarios/${key}.ts`] : s.name !== key ? [`lists '${key}' as the scenario named '${s.name}'`] : [],
  );
  if (indexErrors.length) reports.push({ file: INDEX, errors: indexErrors });
  return reports;
}
