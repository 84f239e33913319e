/**
 * A redis-server of the test's own: on a free loopback port, in a temp dir, no persistence, no
 * password (loopback only). `restart` stops it hard and starts it again on the same port (the
 * "Redis restarted mid-class" fault). Stopped by the test file's `after` hook if still running.
 * Callers guard with `needs('redisServer')` (tools.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { freePort } from './free-port.ts';

export interface TestRedis {
  port: number;
  url: string;
  /** SIGKILL, then start again on the same port; resolves once it accepts connections. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const running = new Set<TestRedis>();
after(async () => {
  for (const r of running) await r.stop();
});

function launch(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`redis-server did not start in 10 s: ${out}`));
    }, 10_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
  });
}

const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-redis-'));
  const port = await freePort();
  let proc: ChildProcess | null = await launch(port, dir);
  const r: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs = 500) {
      const p = proc!;
      p.kill('SIGKILL');
      await exited(p);
      proc = null;
      await new Promise((res) => setTimeout(res, downMs));
      proc = await launch(port, dir);
    },
    async stop() {
      if (!running.delete(r)) return;
      if (proc) {
        proc.kill('SIGKILL');
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(r);
  return r;
}
