#!/usr/bin/env node
// `npm test`: build the site if needed (the browser tests use it), then run unit, integration and
// browser tests with node's test runner, and close with one line saying what ran.
//   npm test                      everything
//   npm test -- unit integration  only those folders (unit, integration, e2e, fuzz, load)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildIfNeeded, ensureAddon, ROOT } from './build-if-needed.mjs';

const ALL = ['unit', 'integration', 'fuzz', 'e2e'];
const picked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = picked.length ? picked : ALL;
for (const s of suites) {
  if (!existsSync(path.join(ROOT, 'tests', s))) {
    console.error(`no such test folder: tests/${s}`);
    process.exit(2);
  }
}
const files = suites.flatMap((s) =>
  readdirSync(path.join(ROOT, 'tests', s))
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join('tests', s, f)),
);

ensureAddon();
if (suites.includes('e2e')) buildIfNeeded();

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SOCKETLAB_QUIET: '1' },
});
const counts = {};
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop();
  // The runner's own summary ("ℹ tests 42"); failure details may follow it.
  for (const line of lines) {
    const m = /^ℹ (tests|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(line.trim());
    if (m) counts[m[1]] = Number(m[2]);
  }
});
child.on('exit', (code) => {
  const secs = counts.duration_ms ? ` in ${(counts.duration_ms / 1000).toFixed(1)} s` : '';
  console.log(
    `\nTests: ${counts.tests ?? '?'} ran (${suites.join(', ')}; ${files.length} files): ${counts.pass ?? 0} passed, ${counts.fail ?? 0} failed, ${counts.skipped ?? 0} skipped, ${counts.cancelled ?? 0} cancelled${secs}`,
  );
  process.exit(code ?? 1);
});
