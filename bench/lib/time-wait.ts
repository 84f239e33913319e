/**
 * A machine as busy as a class leaves it: about N connections in TIME_WAIT, kept topped up by a
 * child process (bench/lib/time-wait-child.ts) for as long as a benchmark runs. Loopback only
 * (127.0.0.2), bounded in time, and the child exits with its parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './server-process.ts';

export interface TimeWaitPopulation {
  /** TIME_WAIT entries on the machine right now (/proc/net/sockstat). */
  count(): number;
  /** Every TCP row the kernel holds, TIME_WAIT included: what one read of /proc/net/tcp* walks. */
  tcpEntries(): number;
  stop(): Promise<void>;
}

function sockstat(): string {
  return readFileSync('/proc/net/sockstat', 'utf8') + readFileSync('/proc/net/sockstat6', 'utf8');
}

export function timeWaitCount(): number {
  return Number(/TCP:.*\btw (\d+)/.exec(sockstat())?.[1] ?? 0);
}

export function tcpEntries(): number {
  const text = sockstat();
  const inuse = [...text.matchAll(/TCP6?: inuse (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  return inuse + timeWaitCount();
}

/** Starts the population and resolves once about `target` entries exist (0: none, no child). */
export async function makeTimeWait(target: number, seconds: number): Promise<TimeWaitPopulation> {
  const base = { count: timeWaitCount, tcpEntries };
  if (target <= 0) return { ...base, stop: async () => {} };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'lib', 'time-wait-child.ts'), String(target), String(seconds)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${target} TIME_WAIT entries after 60 s (now ${timeWaitCount()})`)), 60_000);
    child.stdout!.on('data', () => {
      if (timeWaitCount() >= target * 0.95) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the TIME_WAIT maker exited with ${code}`)));
  });
  return {
    ...base,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}
