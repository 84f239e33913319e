#!/usr/bin/env node
// `npm start [-- flags]`: build the site if needed, then run the one server process (site + /lab).
import { spawn } from 'node:child_process';
import { buildIfNeeded, ensureAddon, ROOT } from './build-if-needed.mjs';

const args = process.argv.slice(2);
const wantsHelp = args.includes('--help');
const dev = args.includes('--dev');
// --lab-only serves no pages, so there is nothing to build.
const labOnly = args.includes('--lab-only') || /^(1|true|yes)$/.test(process.env.SOCKETLAB_LAB_ONLY ?? '');
if (!wantsHelp && !dev && !labOnly) buildIfNeeded();
if (!wantsHelp) ensureAddon();

const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', ...args], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
});
// Pass signals on, for when only this process is signalled (kill <pid>, a process manager). At a
// terminal, Ctrl+C reaches the server directly as well; it takes the copy that arrives at the same
// moment as the same keypress (server/stop-signals.ts), so one Ctrl+C still closes gracefully.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
