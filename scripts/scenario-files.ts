/**
 * The build-time check shared by both kinds of scenario, the lab's guided ones
 * (check-scenarios.ts) and the network ones (check-network-scenarios.ts): each file of a kind's
 * folder loads, has a default export that passes the kind's schema check, is named as its file
 * is, and is listed in the kind's index under that name; and the index lists no scenario without
 * a file. Each entry names only its kind.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ScenarioReport {
  file: string;
  errors: string[];
}

export interface ScenarioKind {
  /** The kind's folder, from the repository's root (content/scenarios). */
  dir: string;
  /** The typed index of that folder: name to scenario. */
  index: Record<string, { name: string }>;
  /** The schema check of one scenario: its problems, none when it is sound. */
  problems: (scenario: unknown) => string[];
}

const indexFile = (kind: ScenarioKind) => `${kind.dir}/index.ts`;

/** Checks one file; `index` (name to scenario) must list the file's scenario under its own name. */
export async function checkScenarioFileOf(kind: ScenarioKind, file: string, index: Record<string, unknown> = kind.index): Promise<ScenarioReport> {
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
  report.errors.push(...kind.problems(mod.default));
  const expected = path.basename(file, '.ts');
  const name = (mod.default as { name?: unknown }).name;
  if (name !== expected) report.errors.push(`name is "${String(name)}" but the file is ${expected}.ts: they must match`);
  if (index[expected] !== mod.default) report.errors.push(`not listed in ${indexFile(kind)} (import it and add it under '${expected}')`);
  return report;
}

/** Every file of the kind's folder, then the index against the files (a report of its own when it is off). */
export async function checkAllScenariosOf(kind: ScenarioKind): Promise<ScenarioReport[]> {
  const files = readdirSync(path.join(ROOT, kind.dir))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .sort();
  const reports = await Promise.all(files.map((f) => checkScenarioFileOf(kind, path.join(ROOT, kind.dir, f))));
  const present = new Set(files.map((f) => f.slice(0, -3)));
  const indexErrors = Object.entries(kind.index).flatMap(([key, s]) =>
    !present.has(key) ? [`lists '${key}' but there is no ${kind.dir}/${key}.ts`] : s.name !== key ? [`lists '${key}' as the scenario named '${s.name}'`] : [],
  );
  if (indexErrors.length) reports.push({ file: indexFile(kind), errors: indexErrors });
  return reports;
}
