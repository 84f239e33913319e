/**
 * `npm test` itself (scripts/test.mjs), on small fixture files: a file that hangs is stopped at its
 * time limit with everything it started and named, while the tests it finished still count; failures
 * of every kind are counted and their messages clipped; a missing tool skips with the install hint,
 * or fails naming the tool under CI=true.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { clip, waitUntil } from '../helpers/lab.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = 'tests/fixtures/runner';

function runTests(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; last: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, CI: '', ...env };
  // This file runs under node's test runner, which marks its children as being inside a test (and
  // they would then refuse to run test files): the runner under test is started as from a terminal.
  delete base.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['scripts/test.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: base });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, out, last: out.trimEnd().split('\n').pop() ?? '' })),
  );
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm test (scripts/test.mjs)', () => {
  it('stops a file that runs past its time limit, with its children, names it, and still counts what it finished', { timeout: 60_000 }, async () => {
    const r = await runTests([`${FIXTURES}/hangs.test.ts`, 'tests/unit/chat-lines.test.ts', '--file-timeout', '3']);
    assert.equal(r.code, 1, clip(r.out, 2000));
    assert.match(r.out, /tests\/fixtures\/runner\/hangs\.test\.ts is still running after 3 s/);
    assert.match(r.out, /Stopped at the 3 s limit per file[^\n]*\n {2}✖ tests\/fixtures\/runner\/hangs\.test\.ts/);
    // The file after it still ran; the hung file's pass and skip count.
    assert.match(r.last, /^Tests: 10 ran \(fixtures, unit; 2 of 2 files\): 9 passed, 0 failed, 1 skipped, 0 cancelled, 1 file stopped at the time limit in [\d.]+ s$/);
    const pid = Number(/child pid (\d+)/.exec(r.out)?.[1]);
    assert.ok(pid > 0, 'the fixture started its child');
    await waitUntil(() => !alive(pid), 10_000, `the hung file's child (pid ${pid}) to be stopped too`);
  });

  it('counts failed tests, failed suite setup and todos, clips long messages, and ends a file that leaked a server', { timeout: 60_000 }, async () => {
    const r = await runTests([`${FIXTURES}/fails.test.ts`]);
    assert.equal(r.code, 1);
    assert.match(r.last, /^Tests: 4 ran \(fixtures; 1 of 1 files\): 1 passed, 2 failed, 0 skipped, 1 cancelled, 1 todo in [\d.]+ s$/);
    const failed = r.out.slice(r.out.indexOf('\nFailed ('));
    assert.match(failed, /✖ tests\/fixtures\/runner\/fails\.test\.ts › fails with a long message: payload x{10,}…\n/);
    assert.match(failed, /✖ tests\/fixtures\/runner\/fails\.test\.ts › a suite whose setup fails: setup broke/);
    assert.ok(failed.length < 2000, `the summary stays short (${failed.length} characters)`);
  });

  it('stops what a file left running when the file ends, so it cannot hold the run', { timeout: 60_000 }, async () => {
    const r = await runTests([`${FIXTURES}/leaves-child.test.ts`, '--file-timeout', '30']);
    assert.equal(r.code, 0, clip(r.out, 2000));
    assert.doesNotMatch(r.out, /still running/);
    const pid = Number(/child pid (\d+)/.exec(r.out)?.[1]);
    assert.ok(pid > 0);
    await waitUntil(() => !alive(pid), 10_000, `the left-over child (pid ${pid}) to be stopped`);
  });

  it('names the error of a file that throws while loading', { timeout: 60_000 }, async () => {
    const r = await runTests([`${FIXTURES}/crashes.test.ts`]);
    assert.equal(r.code, 1);
    assert.match(r.out, /Failed \(1\):\n {2}✖ tests\/fixtures\/runner\/crashes\.test\.ts: exited with code 1: TypeError: broken while loading\n/);
  });

  describe('a test that needs a tool the machine lacks', () => {
    // An empty PATH: no nc (and no sh to look for it), as on a bare machine.
    const bare = mkdtempSync(path.join(tmpdir(), 'socketlab-bare-path-'));
    const withoutNc = { PATH: bare };

    it('is skipped with the install hint', { timeout: 60_000 }, async () => {
      const r = await runTests([`${FIXTURES}/uses-nc.test.ts`], withoutNc);
      assert.equal(r.code, 0, clip(r.out, 2000));
      assert.match(r.out, /Skipped \(1\):\n {2}1 × nc not found: install with `sudo apt-get install -y netcat-openbsd`/);
      assert.match(r.last, /^Tests: 2 ran \(fixtures; 1 of 1 files\): 1 passed, 0 failed, 1 skipped, 0 cancelled in/);
    });

    it('fails under CI=true, naming the tool', { timeout: 60_000 }, async () => {
      try {
        const r = await runTests([`${FIXTURES}/uses-nc.test.ts`], { ...withoutNc, CI: 'true' });
        assert.equal(r.code, 1, clip(r.out, 2000));
        assert.match(r.out, /Failed \(1\):\n {2}✖ tests\/fixtures\/runner\/uses-nc\.test\.ts › has nc \(CI=true: a missing tool is a failure\): CI=true, and a tool the tests need is missing: nc not found/);
        // The test that needs nothing missing still ran.
        assert.match(r.last, /^Tests: 3 ran \(fixtures; 1 of 1 files\): 1 passed, 1 failed, 1 skipped, 0 cancelled in/);
      } finally {
        rmSync(bare, { recursive: true, force: true });
      }
    });
  });
});
