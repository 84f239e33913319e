/**
 * The real server in a process of its own that may not capture packets: started through
 * `setpriv --bounding-set -net_raw --inh-caps -net_raw`, so even as root its exec'd Node holds no
 * CAP_NET_RAW (the bounding set caps what exec grants), as on a host where nobody ran `setcap`
 * (not root: `setpriv --no-new-privs`, which keeps a capability set on Node's file from applying).
 * For the tests of "where capture cannot run, the lab says why" (issue 17). Needs `setpriv`
 * (tests/helpers/tools.ts). Each server is in its own process group; the file's `after` hook
 * kills any still running, so nothing outlives the test file.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { clip, waitUntil, within } from './lab.ts';
import { DROP_NET_RAW } from './tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** capability(7): CAP_NET_RAW is bit 13 of the sets in /proc/<pid>/status. */
const CAP_NET_RAW = 1n << 13n;

export interface ChildServer {
  port: number;
  url: string;
  pid: number;
  output: () => string;
  /** Whether the server's process holds CAP_NET_RAW in its effective set (read from /proc). */
  hasNetRaw: () => boolean;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  close: () => Promise<void>;
}

const running = new Set<ChildServer>();
after(async () => {
  for (const s of running) await s.close();
});

/**
 * Starts `server/index.ts` with `args` (after `--port 0`) without CAP_NET_RAW; resolves once it
 * prints where it runs. The site needs a build (`.next`) unless `args` has `--lab-only`.
 */
export async function startWithoutNetRaw(args: string[]): Promise<ChildServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env.SOCKETLAB_QUIET; // the "running at" line tells the port
  const proc: ChildProcess = spawn('setpriv', [...DROP_NET_RAW, '--', process.execPath, '--import', 'tsx', 'server/index.ts', '--port', '0', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let exited = false;
  void exit.then(() => (exited = true));
  const pid = proc.pid!;
  const server: ChildServer = {
    port: 0,
    url: '',
    pid,
    output: () => out,
    hasNetRaw: () => {
      const line = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      assert.ok(line, `no CapEff in /proc/${pid}/status`);
      return (BigInt(`0x${line[1]}`) & CAP_NET_RAW) !== 0n;
    },
    close: async () => {
      if (!running.delete(server)) return;
      if (!exited) signalGroup(pid, 'SIGTERM');
      try {
        await within(10_000, exit, 'the server to exit after SIGTERM');
      } catch {
        signalGroup(pid, 'SIGKILL');
        await exit;
      }
    },
  };
  running.add(server);
  try {
    await waitUntil(() => exited || /running at http:\/\/[^:]+:\d+/.test(out), 60_000, () => `the server to start (output: ${clip(out, 800)})`);
    assert.ok(!exited, `the server exited at start: ${clip(out, 800)}`);
  } catch (e) {
    await server.close();
    throw e;
  }
  server.port = Number(/running at http:\/\/[^:]+:(\d+)/.exec(out)![1]);
  server.url = `http://127.0.0.1:${server.port}`;
  return server;
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
