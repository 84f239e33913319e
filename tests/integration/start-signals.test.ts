/**
 * Ctrl+C at the terminal: the terminal sends SIGINT to its whole foreground process group, so both
 * `scripts/start.mjs` and the server it started get it, and the start script passes it on too. One
 * Ctrl+C must still close gracefully (sessions told, class data closed, exit 0); a second one, later,
 * forces the exit. Each test starts its process in its own process group and signals the group, as
 * the terminal does.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import { DUPLICATE_WINDOW_MS } from '../../server/stop-signals.ts';
import { clip, waitUntil, within } from '../helpers/lab.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Started {
  proc: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const groups = new Set<number>();
afterEach(() => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
});

async function start(args: string[]): Promise<Started> {
  const env = { ...process.env };
  delete env.SOCKETLAB_QUIET; // the runner sets it; these tests read what a person at the terminal sees
  const proc = spawn(process.execPath, ['scripts/start.mjs', '--lab-only', '--port', '0', ...args], {
    cwd: ROOT,
    detached: true, // its own process group, like a job in a terminal
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  groups.add(proc.pid!);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  let exited = false;
  void exit.then(() => (exited = true));
  await waitUntil(() => exited || /running at http:\/\/[^:]+:\d+/.test(out), 30_000, () => `the server to start (output: ${clip(out, 800)})`);
  const port = Number(/running at http:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, `the server did not start: ${clip(out, 800)}`);
  return { proc, port, output: () => out, exit };
}

/** Ctrl+C as the terminal sends it: SIGINT to every process in the job's group. */
const ctrlC = (s: Started) => process.kill(-s.proc.pid!, 'SIGINT');

function labSession(port: number): Promise<{ ws: WebSocket; messages: { event?: string; reason?: string }[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/lab`);
    const messages: { event?: string; reason?: string }[] = [];
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d));
      messages.push(msg);
      if (msg.event === 'hello') resolve({ ws, messages });
    });
    ws.on('error', reject);
  });
}

describe('Ctrl+C at the terminal', () => {
  it('one Ctrl+C closes gracefully: the lab session is told, and the exit code is 0', { timeout: 60_000 }, async () => {
    const s = await start([]);
    const session = await labSession(s.port);
    const closed = new Promise<number>((resolve) => session.ws.once('close', resolve));
    ctrlC(s);
    const { code, signal } = await within(20_000, s.exit, 'the server to stop after one Ctrl+C');
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, clip(s.output(), 800));
    assert.match(s.output(), /SIGINT: closing every lab socket and stopping/);
    assert.doesNotMatch(s.output(), /forcing|exiting now/i, 'one Ctrl+C never forces');
    assert.notEqual(await closed, 1006, 'the WebSocket is closed with a close frame, not dropped');
    assert.ok(
      session.messages.some((m) => m.event === 'bye' && m.reason === 'shutdown'),
      `the session was told why: ${clip(JSON.stringify(session.messages), 400)}`,
    );
  });

  it('with a class, one Ctrl+C also closes gracefully (exit 0)', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-signals-'));
    try {
      const s = await start(['--class', '--class-data', path.join(dir, 'class.sqlite'), '--class-chat-port', '41961']);
      ctrlC(s);
      const { code } = await within(20_000, s.exit, 'the class server to stop after one Ctrl+C');
      assert.equal(code, 0, clip(s.output(), 800));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the same Ctrl+C arriving twice at once does not force; a second one later does', { timeout: 60_000 }, async () => {
    // The real server closes in milliseconds, so a later Ctrl+C would find it gone: this process
    // stops on signals exactly as the server does, with a close that never finishes.
    const proc = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/never-closing-server.ts'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    groups.add(proc.pid!);
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    let exited: number | null | undefined;
    const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve((exited = code))));
    await waitUntil(() => out.includes('ready'), 20_000, () => `the process to start (${clip(out)})`);

    // What a terminal and a start script that passes the signal on deliver for one keypress.
    process.kill(-proc.pid!, 'SIGINT');
    process.kill(-proc.pid!, 'SIGINT');
    await waitUntil(() => /SIGINT: closing/.test(out), 10_000, 'the graceful close to begin');
    await sleep(DUPLICATE_WINDOW_MS + 300);
    assert.equal(exited, undefined, `one keypress delivered twice must not force the exit: ${clip(out)}`);
    assert.doesNotMatch(out, /SIGINT again/);

    process.kill(-proc.pid!, 'SIGINT');
    assert.equal(await within(10_000, exit, 'the exit after a second Ctrl+C'), 1);
    assert.match(out, /SIGINT again: exiting now/);
  });
});
