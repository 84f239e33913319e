/**
 * better-sqlite3 is optional: where it is missing, `--class` stops with one line saying what to
 * install, and the site without `--class` runs. "Missing" is simulated with the loader's test
 * switch (SOCKETLAB_SIMULATE_MISSING_SQLITE=1), which makes it import a package that does not
 * exist: the same failure a skipped optional dependency gives.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { SIMULATE_MISSING_ENV, loadSqlite } from '../../server/class/sqlite.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the server until it prints its URL (then stops it) or exits by itself. */
function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; started: boolean }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', '--lab-only', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [SIMULATE_MISSING_ENV]: '1' },
  });
  let stdout = '';
  let stderr = '';
  let started = false;
  proc.stdout.on('data', (d) => {
    stdout += d;
    if (!started && /running at http/.test(stdout)) {
      started = true;
      proc.kill('SIGTERM');
    }
  });
  proc.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, started });
    }),
  );
}

describe('better-sqlite3 missing', () => {
  it('--class stops with one line that says what to install, and a non-zero exit', { timeout: 60_000 }, async () => {
    const dataFile = path.join(dir, 'class.sqlite');
    const r = await run(['--class', '--class-data', dataFile]);
    assert.equal(r.started, false, 'nothing listened');
    assert.notEqual(r.code, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^--class needs the optional package better-sqlite3/);
    assert.match(lines[0], /npm install better-sqlite3/);
    assert.equal(existsSync(dataFile), false, 'no class file was made');
  });

  it('the site without --class runs', { timeout: 60_000 }, async () => {
    const r = await run([]);
    assert.equal(r.started, true, r.stderr);
    // Stopped by the test's SIGTERM: a clean exit, or the signal itself if it came before the
    // server's handler was installed (it prints its address first).
    assert.ok(r.code === 0 || r.signal === 'SIGTERM', `exit ${r.code} ${r.signal}: ${r.stderr}`);
    assert.equal(r.stderr, '');
  });

  it('the loader gives the same error in-process, and loads the real package without the switch', async () => {
    await assert.rejects(loadSqlite({ [SIMULATE_MISSING_ENV]: '1' }), (e: Error & { code?: string }) => e.code === 'E_NO_SQLITE' && /better-sqlite3/.test(e.message));
    const Sqlite = await loadSqlite({});
    const db = new Sqlite(':memory:');
    assert.deepEqual(db.prepare('SELECT 1 + 1 AS two').get(), { two: 2 });
    db.close();
  });
});
