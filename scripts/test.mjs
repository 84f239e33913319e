#!/usr/bin/env node
// `npm test`: build the site if needed (the browser tests use it), then run every test file with node's
// test runner, each file in its own process group under a time limit, and close with one line saying
// what ran.
//   npm test                          everything
//   npm test -- unit integration      only those folders (unit, integration, fuzz, e2e)
//   npm test -- tests/unit/x.test.ts  only that file
//   --jobs N           files run at once (default: cores - 1, at least 1, as node's own runner does)
//   --file-timeout S   seconds a file may run before it is stopped and named (default 600)
// Counts come from the runner's own events (scripts/test-reporters/events.mjs), not from its text.
// A file that runs past its limit is stopped with its whole process group (nc, browsers, servers it
// started); the tests it finished still count, and the summary names it.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { buildIfNeeded, ensureAddon, ROOT } from './build-if-needed.mjs';

const FOLDERS = ['unit', 'integration', 'fuzz', 'e2e'];
const REPORTERS = path.join(ROOT, 'scripts', 'test-reporters');
/** After SIGTERM, how long a stopped file gets to close its browser and servers before SIGKILL. */
const KILL_GRACE_MS = 5_000;

function parseArgs(argv) {
  const opts = {
    jobs: Number(process.env.SOCKETLAB_TEST_JOBS) || Math.max(availableParallelism() - 1, 1),
    fileTimeoutS: Number(process.env.SOCKETLAB_TEST_FILE_TIMEOUT) || 600,
    targets: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => Number(inline ?? argv[++i]);
    if (flag === '--jobs') opts.jobs = value();
    else if (flag === '--file-timeout') opts.fileTimeoutS = value();
    else if (flag.startsWith('-')) fail(`unknown option ${flag} (known: --jobs N, --file-timeout SECONDS)`);
    else opts.targets.push(argv[i]);
  }
  if (!(opts.jobs >= 1) || !(opts.fileTimeoutS > 0)) fail('--jobs and --file-timeout take positive numbers');
  return opts;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

/** Folders by name (unit, e2e...) or single test files, in the order given. */
function testFiles(targets) {
  const chosen = targets.length ? targets : FOLDERS;
  return chosen.flatMap((t) => {
    if (t.endsWith('.test.ts')) {
      if (!existsSync(path.join(ROOT, t))) fail(`no such test file: ${t}`);
      return [t];
    }
    const dir = path.join(ROOT, 'tests', t);
    if (!existsSync(dir)) fail(`no such test folder: tests/${t} (folders: ${FOLDERS.join(', ')})`);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => path.join('tests', t, f));
  });
}

/** Runs one test file; resolves with its exit code, whether the watchdog stopped it, and its events. */
function runFile(file, { fileTimeoutS, live, eventsDir, index }) {
  const eventsFile = path.join(eventsDir, `${index}.jsonl`);
  // The file runs in this one process (not under `--test`, whose extra parent process, when told to
  // force the exit, can end before its reporters have written everything).
  const args = [
    '--import', 'tsx',
    // Once its tests are done the file ends, even if a failed test left a socket or timer behind.
    '--test-force-exit',
    `--test-reporter=${path.join(REPORTERS, 'spec.mjs')}`, '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(REPORTERS, 'events.mjs')}`, '--test-reporter-destination=stderr',
    file,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Its own process group, so the watchdog can stop everything the file started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SOCKETLAB_QUIET: '1', SOCKETLAB_TEST_EVENTS: eventsFile, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
  });
  running.add(child);
  const buffered = [];
  const out = (stream) => (chunk) => (live ? stream.write(chunk) : buffered.push([stream, chunk]));
  child.stdout.on('data', out(process.stdout));
  child.stderr.on('data', out(process.stderr));
  // What it said last on stderr: a file that throws while loading has no test to report it.
  let stderrTail = '';
  child.stderr.on('data', (chunk) => (stderrTail = (stderrTail + chunk).slice(-64_000)));
  if (live) console.log(`\n▷ ${file}`);

  let timedOut = false;
  const watchdog = setTimeout(() => {
    timedOut = true;
    console.error(`\n✖ ${file} is still running after ${fileTimeoutS} s: stopping it and everything it started.`);
    stopGroup(child);
  }, fileTimeoutS * 1000);

  // Whatever the file started and left running (a server, nc) goes with it, so it cannot hold the
  // output pipes open, or a port, into the next file.
  child.on('exit', () => stopGroup(child));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      running.delete(child);
      if (!live) {
        console.log(`\n▷ ${file}`);
        for (const [stream, chunk] of buffered) stream.write(chunk);
      }
      resolve({ file, code: code ?? (signal ? 128 : 1), timedOut, records: readEvents(eventsFile), crash: errorIn(stderrTail) });
    });
  });
}

const running = new Set();

function stopGroup(child, signal = 'SIGTERM') {
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is already gone
    }
  };
  kill(signal);
  setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS).unref();
}

/** The first line of an uncaught error in what a process wrote to stderr. */
function errorIn(stderr) {
  return stderr.split('\n').map((l) => l.trim()).find((l) => /^\w*(Error|Exception)\b[^:]*: /.test(l));
}

function readEvents(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return null; // a line cut short when the file was stopped
      }
    })
    .filter(Boolean);
}

/** Counts as node's own summary does, except that a suite whose own code or hook failed is a failure too. */
function tally(results) {
  const t = { tests: 0, passed: 0, failed: 0, skipped: 0, todo: 0, cancelled: 0, failures: [], skipReasons: new Map(), stopped: [] };
  for (const { file, code, timedOut, records, crash } of results) {
    let fileFailures = 0;
    for (const r of records) {
      const where = [file, ...(r.suites ?? []), r.name].join(' › ');
      if (r.suite) {
        if (!r.passed && r.failureType !== 'subtestsFailed' && r.failureType !== 'cancelledByParent') {
          t.failed++;
          fileFailures++;
          t.failures.push(`${where}: ${firstLine(r.message)}`);
        }
        continue;
      }
      t.tests++;
      if (r.todo !== undefined) t.todo++;
      else if (r.skip !== undefined) {
        t.skipped++;
        const reason = r.skip || '(no reason given)';
        t.skipReasons.set(reason, (t.skipReasons.get(reason) ?? 0) + 1);
      } else if (r.passed) t.passed++;
      else if (r.failureType === 'cancelledByParent') t.cancelled++;
      else {
        t.failed++;
        fileFailures++;
        t.failures.push(`${where}: ${firstLine(r.message)}`);
      }
    }
    if (timedOut) t.stopped.push(file);
    else if (code !== 0 && fileFailures === 0) {
      t.failed++;
      t.failures.push(`${file}: exited with code ${code}: ${firstLine(crash) || 'see its output above'}`);
    } else if (records.length === 0) {
      t.failed++;
      t.failures.push(`${file}: ran no tests`);
    }
  }
  return t;
}

/** The first line of a failure message, clipped: the full text is in the file's own output above. */
function firstLine(s) {
  const line = String(s ?? '').split('\n').find((l) => l.trim()) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = testFiles(opts.targets);
  const folders = [...new Set(files.map((f) => f.split(path.sep)[1]))];
  ensureAddon();
  if (folders.includes('e2e')) buildIfNeeded();

  const started = Date.now();
  const eventsDir = mkdtempSync(path.join(tmpdir(), 'socketlab-test-'));
  const results = [];
  let next = 0;
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${sig}: stopping the running test files.`);
      for (const child of running) stopGroup(child);
    });
  }
  const live = opts.jobs === 1;
  async function worker() {
    while (!interrupted && next < files.length) {
      const index = next++;
      results[index] = await runFile(files[index], { ...opts, live, eventsDir, index });
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.jobs, files.length) }, worker));
  rmSync(eventsDir, { recursive: true, force: true });

  const t = tally(results.filter(Boolean));
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (t.skipReasons.size) {
    console.log(`\nSkipped (${t.skipped}):`);
    for (const [reason, n] of t.skipReasons) console.log(`  ${n} × ${reason}`);
  }
  if (t.failures.length) {
    console.log(`\nFailed (${t.failures.length}):`);
    for (const f of t.failures) console.log(`  ✖ ${f}`);
  }
  if (t.stopped.length) {
    console.log(`\nStopped at the ${opts.fileTimeoutS} s limit per file (the tests they finished are counted):`);
    for (const f of t.stopped) console.log(`  ✖ ${f}`);
  }
  const extra = [t.todo ? `${t.todo} todo` : '', t.stopped.length ? `${t.stopped.length} file${t.stopped.length > 1 ? 's' : ''} stopped at the time limit` : '', interrupted ? 'interrupted' : '']
    .filter(Boolean)
    .map((s) => `, ${s}`)
    .join('');
  console.log(
    `\nTests: ${t.tests} ran (${folders.join(', ')}; ${results.filter(Boolean).length} of ${files.length} files): ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.cancelled} cancelled${extra} in ${secs} s`,
  );
  const ok = !interrupted && t.failed === 0 && t.cancelled === 0 && t.stopped.length === 0;
  process.exit(interrupted ? 130 : ok ? 0 : 1);
}

await main();
