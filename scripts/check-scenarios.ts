/**
 * Build-time check of the guided scenarios in content/scenarios/, run with the lesson check by
 * scripts/check-content.ts: each file's scenario against content/scenario-schema.ts (shape, "$name"
 * references, every step's arguments against the lab protocol), its name against its file name, and
 * the index (content/scenarios/index.ts) against the files, so no scenario is left out or listed twice.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { scenarioProblems } from '../content/scenario-schema.ts';
import { SCENARIOS } from '../content/scenarios/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'content', 'scenarios');
const INDEX = 'content/scenarios/index.ts';

export interface ScenarioReport {
  file: string;
  errors: string[];
}

/**
 * Checks one scenario file. `index` is the typed index's record, name to scenario: the file's
 * scenario must be listed there under its own name.
 */
export async function checkScenarioFile(file: string, index: Record<string, unknown> = SCENARIOS): Promise<ScenarioReport> {
  const report: ScenarioReport = { file: path.relative(ROOT, file), errors: [] };
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
  report.errors.push(...scenarioProblems(mod.default));
  const expected = path.basename(file, '.ts');
  const name = (mod.default as { name?: unknown }).name;
  if (name !== expected) report.errors.push(`name is "${String(name)}" but the file is ${expected}.ts: they must match`);
  if (index[expected] !== mod.default) report.errors.push(`not listed in ${INDEX} (import it and add it under '${expected}')`);
  return report;
}

export async function checkAllScenarios(): Promise<ScenarioReport[]> {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .sort();
  const reports = await Promise.all(files.map((f) => checkScenarioFile(path.join(DIR, f))));
  const indexErrors: string[] = [];
  const present = new Set(files.map((f) => f.slice(0, -3)));
  for (const [key, scenario] of Object.entries(SCENARIOS)) {
    if (!present.has(key)) indexErrors.push(`lists '${key}' but there is no content/scenarios/${key}.ts`);
    else if (scenario.name !== key) indexErrors.push(`lists '${key}' as the scenario named '${scenario.name}'`);
  }
  if (indexErrors.length) reports.push({ file: INDEX, errors: indexErrors });
  return reports;
}
