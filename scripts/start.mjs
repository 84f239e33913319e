#!/usr/bin/env node
// `npm start [-- flags]`: build the site if needed, then run the one server process (site + /lab).
import { spawn } from 'node:child_process';
import { buildIfNeeded, ensureAddon, ROOT } from './build-if-needed.mjs';

const args = process.argv.slice(2);
const wantsHelp = args.includes('--help');
const dev = args.includes('--dev');
if (!wantsHelp && !dev) buildIfNeeded();
if (!wantsHelp) ensureAddon();

const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', ...args], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
