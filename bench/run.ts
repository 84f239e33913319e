/**
 * `npm run bench`: every benchmark in turn, each printing its figures against its budget.
 * The page and UI benchmarks need a build (`npm run build`) and Chromium.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHES = [
  'first-load-js.ts', 'lab-load.ts', 'flood.ts', 'kernel-view.ts', 'class-pace.ts', 'lab-ui.ts', 'chat-load.ts', 'class-load.ts',
  'class-flood.ts', 'network.ts', 'packets.ts',
];
let failed = 0;
for (const b of BENCHES) {
  console.log(`\n=== bench/${b}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, b)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
