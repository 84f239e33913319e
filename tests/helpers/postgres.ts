/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a free port on 127.0.0.1, the
 * unix socket in the temp dir too (nothing in /var/run), started and stopped with pg_ctl. Only the
 * server binaries are needed (Debian's `postgresql` package; no system cluster is used or started).
 * initdb refuses to run as root, so under root the cluster belongs to the `postgres` user (the
 * package makes it) and the temp dir is handed to it. fsync is off: the cluster is gone at the end.
 *
 *   const pg = await startPostgres();   // after(() => pg.close())
 *   const url = await pg.createDatabase('t1');
 *   await pg.stop(); await pg.start();  // the database away and back, same data
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PG_USER = 'socketlab';
export const PG_PASSWORD = 'lab-test-password';

/** The directory holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin (newest). */
export function findPostgresBin(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return path.dirname(onPath.stdout.trim());
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')) && existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

/** Who runs the cluster: this user, or `postgres` when this is root. */
function owner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !uid) throw new Error('running as root, and there is no `postgres` user to own the test cluster (the postgresql package makes one)');
  return { uid, gid };
}

function run(bin: string, args: string[], as: { uid: number; gid: number } | null, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(as ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface PostgresCluster {
  port: number;
  /** postgres://socketlab:…@127.0.0.1:port/<db> */
  url(db: string, o?: { password?: string }): string;
  /** Makes an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (the data stays): the database is away. `immediate` is a crash, not a shutdown. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes everything. */
  close(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found (sudo apt-get install -y postgresql)');
  const as = owner();
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-pg-'));
  const data = path.join(dir, 'data');
  const sockets = path.join(dir, 'sock');
  const pwfile = path.join(dir, 'pw');
  const log = path.join(dir, 'log');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  for (const f of [dir, pwfile]) if (as) chownSync(f, as.uid, as.gid);
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--no-instructions'], as);
  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c fsync=off -c max_connections=100`;
  const cluster: PostgresCluster = {
    port,
    url: (db, o = {}) => `postgres://${PG_USER}:${encodeURIComponent(o.password ?? PG_PASSWORD)}@127.0.0.1:${port}/${db}`,
    async createDatabase(name) {
      // Imported here, not at the top: tools.ts imports this file for findPostgresBin in every test file.
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: cluster.url('postgres') });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await c.end();
      }
      return cluster.url(name);
    },
    async start() {
      mkdirSync(sockets, { recursive: true });
      if (as) chownSync(sockets, as.uid, as.gid);
      await run(pgCtl, ['-D', data, '-l', log, '-o', opts, '-w', '-t', '60', 'start'], as, 90_000);
    },
    async stop(mode = 'fast') {
      await run(pgCtl, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], as, 90_000);
    },
    async close() {
      await cluster.stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return cluster;
}
