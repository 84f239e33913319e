#!/usr/bin/env node
// Builds the native lab engine (server/engines/native, a C addon) with node-gyp. Run by `npm install`
// (postinstall) and by `npm start`/`npm test` when the addon is missing.
//
// It must never fail the install: where the addon cannot be built (no compiler, Windows, no Node
// headers) it prints one warning and exits 0, and the lab uses its fallback engine.
//   SOCKETLAB_SKIP_ADDON=1   skip the build entirely
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADDON_DIR = path.join(ROOT, 'server', 'engines', 'native');
const OUTPUT = path.join(ADDON_DIR, 'build', 'Release', 'socketlab.node');
const LOG = path.join(ADDON_DIR, 'build', 'build-addon.log');
const TIMEOUT_MS = 5 * 60 * 1000;

function warn(reason) {
  console.warn(`socketlab: the native addon was not built (${reason}); the lab will use the fallback engine (engine: node).`);
}

function sources() {
  const src = path.join(ADDON_DIR, 'src');
  return [path.join(ADDON_DIR, 'binding.gyp'), ...readdirSync(src).map((f) => path.join(src, f))];
}

function upToDate() {
  if (!existsSync(OUTPUT)) return false;
  const built = statSync(OUTPUT).mtimeMs;
  return sources().every((f) => statSync(f).mtimeMs < built);
}

/** node's own headers, when they are installed beside it (npm sets nodedir for us when it runs this). */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** Ways to run node-gyp, in order of preference; each is [command, leading args, label]. */
function nodeGypCandidates() {
  const list = [];
  // npm puts its bundled node-gyp on PATH for lifecycle scripts.
  list.push(['node-gyp', [], 'node-gyp on PATH']);
  if (process.env.npm_config_node_gyp) {
    list.push([process.execPath, [process.env.npm_config_node_gyp], 'npm_config_node_gyp']);
  }
  // The node-gyp that ships inside npm, next to this node (when run by hand, outside npm).
  const bundled = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) list.push([process.execPath, [bundled], 'node-gyp bundled with npm']);
  list.push(['npx', ['--no-install', 'node-gyp'], 'npx --no-install node-gyp']);
  return list;
}

function tail(text, lines = 6) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Loads the built addon in a child process, so a broken binary is caught here, not at server start. */
function loads() {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(OUTPUT)})`], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? null : tail(`${r.stderr ?? ''}${r.error?.message ?? ''}`, 3);
}

function build() {
  const nodedir = localNodeDir();
  const args = ['rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const attempts = [];
  for (const [cmd, lead, label] of nodeGypCandidates()) {
    const r = spawnSync(cmd, [...lead, ...args], {
      cwd: ADDON_DIR,
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      env: process.env,
    });
    if (r.error?.code === 'ENOENT') {
      attempts.push({ label, ran: false, output: 'not found' });
      continue;
    }
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
    attempts.push({ label, ran: true, output: `exit ${r.status ?? r.signal ?? r.error?.code}\n${output}` });
    if (r.status === 0 && existsSync(OUTPUT)) return { ok: true, attempts };
  }
  return { ok: false, attempts };
}

// Lines that say what went wrong, most telling first: a compiler error, a Python exception from gyp,
// node-gyp not finding Python, node-gyp's own error.
const TELLING = [/: (fatal )?error: /, /^\w*Error: /, /gyp ERR! find Python (You need|Could not find)/i, /gyp ERR! stack \w*Error: /, /gyp ERR! /];

/** The first error of the first node-gyp that actually ran, in one line. */
function firstError(attempts) {
  const ran = attempts.find((a) => a.ran);
  if (!ran) return `no node-gyp found (tried ${attempts.map((a) => a.label).join(', ')})`;
  const lines = ran.output.split('\n').map((l) => l.trim());
  for (const pattern of TELLING) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return `${ran.label}: ${line}`;
  }
  return `${ran.label}: ${tail(ran.output, 1)}`;
}

function writeLog(attempts) {
  try {
    mkdirSync(path.dirname(LOG), { recursive: true });
    writeFileSync(LOG, attempts.map((a) => `--- ${a.label}\n${a.output}`).join('\n\n'));
    return path.relative(ROOT, LOG);
  } catch {
    return null;
  }
}

function main() {
  if (process.env.SOCKETLAB_SKIP_ADDON === '1') {
    console.log('socketlab: SOCKETLAB_SKIP_ADDON=1, not building the native addon; the lab will use the fallback engine (engine: node).');
    return;
  }
  if (process.platform === 'win32') {
    warn('the addon uses POSIX sockets and does not build on Windows');
    return;
  }
  if (upToDate()) {
    console.log('socketlab: native addon is up to date (server/engines/native/build/Release/socketlab.node).');
    return;
  }
  const started = Date.now();
  const { ok, attempts } = build();
  if (!ok) {
    const log = writeLog(attempts);
    warn(`${firstError(attempts).slice(0, 300)}${log ? `; details in ${log}` : ''}`);
    return;
  }
  const loadError = loads();
  if (loadError) {
    rmSync(OUTPUT, { force: true }); // or the next run would call it up to date
    writeLog(attempts);
    warn(`it built but does not load: ${loadError.replace(/\n/g, ' | ')}`);
    return;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`socketlab: native addon built in ${seconds} s (server/engines/native/build/Release/socketlab.node).`);
}

try {
  main();
} catch (e) {
  warn(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
}
process.exitCode = 0;
