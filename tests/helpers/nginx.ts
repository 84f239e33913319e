/**
 * nginx of the test's own in front of several server instances, as docs/hosting.md ("Many
 * instances") configures it: WebSocket upgrades, sticky routing by a cookie nginx sets itself.
 * The config, pid, logs and temp paths live in a temp dir; it runs in the foreground (daemon off)
 * and is stopped by the test file's `after` hook. Callers guard with `needs('nginx')` (tools.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { freePort } from './free-port.ts';

export interface TestNginx {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
  errorLog(): string;
}

const running = new Set<TestNginx>();
after(async () => {
  for (const n of running) await n.stop();
});

const NGINX = ['/usr/sbin/nginx', 'nginx'];

/**
 * The configuration of docs/hosting.md with the paths of `dir`. `X-Socketlab-Upstream` (the
 * instance that answered) is for tests only: it tells a test where nginx sent it.
 */
export function nginxConfig(dir: string, port: number, instances: number[]): string {
  const asRoot = process.getuid?.() === 0;
  return `${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  map $cookie_socketlab_route $socketlab_route { '' $request_id; default $cookie_socketlab_route; }

  upstream socketlab {
    hash $socketlab_route consistent;
${instances.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://socketlab;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_next_upstream error timeout;
      add_header Set-Cookie "socketlab_route=$socketlab_route; Path=/; HttpOnly; SameSite=Lax" always;
      add_header X-Socketlab-Upstream $upstream_addr always;
    }
  }
}
`;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** nginx on a free loopback port (or `port`), proxying to the instances on these loopback ports. */
export async function startNginx(instances: number[], port?: number): Promise<TestNginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-nginx-'));
  const listen = port ?? (await freePort());
  writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, listen, instances));
  const bin = NGINX.find((b) => !b.startsWith('/') || existsSync(b))!;
  const proc: ChildProcess = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(listen))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`nginx did not start: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const n: TestNginx = {
    port: listen,
    url: `http://127.0.0.1:${listen}`,
    dir,
    errorLog: () => {
      try {
        return readFileSync(path.join(dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (!running.delete(n)) return;
      proc.kill('SIGTERM'); // fast shutdown: open WebSockets are not waited for
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(n);
  return n;
}
