/**
 * What the tests of one class on several instances share (class-instances*.test.ts): a server
 * instance in a process of its own (`npm start -- --class --redis …`, for `kill -9`), and the
 * routing cookie nginx sends to a chosen instance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestNginx } from '../helpers/nginx.ts';
import { ClassPeer, openPeer } from './class.shared.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KEY = 'instances_key_0123456789';

export interface Instance {
  name: string;
  port: number;
  proc: ChildProcess;
  code: string;
  exited: Promise<void>;
}

/** Every instance started, for the test file's `after` to kill. */
export const procs = new Set<ChildProcess>();

/** `npm start -- --class --redis …` on a fixed port (nginx is told it up front). */
export function boot(name: string, port: number, o: { dataFile: string; chatPort: number; redis: string; proxyOrigin: string; extra?: string[] }): Promise<Instance> {
  const args = ['--import', 'tsx', 'server/index.ts', '--class', '--lab-only', '--port', String(port), '--class-data', o.dataFile, '--class-chat-port', String(o.chatPort)];
  args.push('--redis', o.redis, '--instructor-key', KEY, '--allowed-origins', o.proxyOrigin, '--class-students-per-address', '1000', ...(o.extra ?? []));
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.add(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const code = /code=([2-9A-Z]{6})/.exec(out)?.[1];
      if (/running at/.test(out) && code) resolve({ name, port, proc, code, exited });
    });
    void exited.then(() => reject(new Error(`instance ${name} exited: ${out}`)));
  });
}

/** A cookie value nginx routes to the instance on `port` (nginx says where it sent a request). */
export async function routeTo(nginx: TestNginx, port: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const cookie = `socketlab_route=r${i}`;
    const res = await fetch(`${nginx.url}/`, { headers: { cookie } });
    await res.arrayBuffer();
    if (res.headers.get('x-socketlab-upstream') === `127.0.0.1:${port}`) return cookie;
  }
  throw new Error(`no route to ${port} found`);
}

/** A /class connection through the proxy, routed by its cookie. */
export async function viaProxy(nginx: TestNginx, cookie: string): Promise<ClassPeer> {
  return openPeer(nginx.port, { cookie });
}

