/**
 * `npm start` and `npm test` build the site only when needed: no build yet, or a source file is newer
 * than the last build. Everything that ends up in the build is watched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCES = ['app', 'content', 'public', 'server/protocol', 'next.config.mjs', 'mdx-options.mjs', 'scripts/rehype-outline.mjs', 'mdx-components.tsx', 'postcss.config.mjs', 'package.json', 'tsconfig.json'];

function newestMtime(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

export function buildIsStale() {
  const stamp = path.join(ROOT, '.next', 'BUILD_ID');
  if (!existsSync(stamp)) return 'no build yet';
  const built = statSync(stamp).mtimeMs;
  for (const s of SOURCES) {
    const p = path.join(ROOT, s);
    if (existsSync(p) && newestMtime(p) > built) return `${s} changed since the last build`;
  }
  return null;
}

/** Runs a command from the project root with inherited output; exits the process if it fails. */
export function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } });
  if (r.status !== 0) {
    console.error(`\n${[cmd, ...args].join(' ')} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

export function buildIfNeeded() {
  const why = buildIsStale();
  if (!why) return false;
  console.log(`Building the site (${why}); the first build takes about a minute...`);
  run(process.execPath, ['--import', 'tsx', 'scripts/check-content.ts']);
  run(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build']);
  return true;
}

export function ensureAddon() {
  if (process.env.SOCKETLAB_ENGINE === 'node') return;
  const built = path.join(ROOT, 'server/engines/native/build/Release/socketlab.node');
  // Also after a `git pull` that changed the C sources: an old addon would lack what the new server asks of it.
  if (!existsSync(built) || addonSourcesNewerThan(statSync(built).mtimeMs)) {
    run(process.execPath, ['scripts/build-addon.mjs']);
  }
}

function addonSourcesNewerThan(mtimeMs) {
  const native = path.join(ROOT, 'server/engines/native');
  const sources = [path.join(native, 'binding.gyp'), ...readdirSync(path.join(native, 'src')).map((f) => path.join(native, 'src', f))];
  return sources.some((f) => statSync(f).mtimeMs > mtimeMs);
}
