/**
 * A class of 600 learners over two instances sharing one class (one class file, events over Redis:
 * issue 21), and the same class on one instance, in one run, all on loopback (each learner from an
 * address of its own in 127.0.0.0/8, as a school behind a proxy would not be, so the per-address
 * limits stay out of the measurement). For each layout it prints:
 * - join storm: every learner connects and joins at once → the last `joined`;
 * - dashboard staleness: a progress report from a learner on A → the instructor's dashboard on B
 *   shows it (one instance: A = B). It includes the dashboard's own one-second cadence and the
 *   100 ms progress batch, so "beyond cadence" subtracts 1 s;
 * - feed delivery: a lab call by a learner on A returns → the call is in B's feed (ditto cadence);
 * - bus latency (two instances): a progress report sent on A → its event arrives from Redis;
 * - errors (any `error` a learner or the instructor got, failed joins) and RSS per instance.
 * Targets (issue 21): cross-instance event p99 ≤ 50 ms beyond the dashboard cadence; no instance
 * above 1 GiB RSS; 0 errors. Needs redis-server. Figures, not a test: a loaded machine moves them.
 * The class is kept in SQLite files by default; `--class-data postgres://…` keeps both layouts'
 * classes in that PostgreSQL database (each run starts a new class there: `--new-class`), and
 * `--class-data postgres` starts a throwaway cluster for the run (Debian's `postgresql` binaries,
 * as tests/helpers/postgres.ts does). The store used is printed with each layout.
 *   node --import tsx bench/class-scale.ts [--learners 600] [--calls 150] [--class-data sqlite|postgres|postgres://…]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { LESSON_SLUGS } from '../content/lessons.ts';
import { LeanClient } from './lib/lean-client.ts';
import { machineLine, startBenchServer, summary, verdict, type BenchServer } from './lib/server-process.ts';
import { startPostgres } from '../tests/helpers/postgres.ts';

const { values } = parseArgs({
  options: { learners: { type: 'string', default: '600' }, calls: { type: 'string', default: '150' }, 'class-data': { type: 'string', default: 'sqlite' } },
});
const CLASS_DATA = values['class-data'];
if (!['sqlite', 'postgres'].includes(CLASS_DATA) && !/^postgres(ql)?:\/\//i.test(CLASS_DATA)) {
  console.error(`--class-data: sqlite, postgres (a throwaway cluster) or a postgres:// URL; not ${CLASS_DATA}`);
  process.exit(2);
}
const LEARNERS = Number(values.learners);
/** Lab calls measured for the feed, paced under the feed's 20 successful calls a second. */
const CALLS = Number(values.calls);
const KEY = 'bench_scale_key_0123456789';
const CADENCE_MS = 1000;

type Msg = Record<string, unknown> & { type: string };

/** A /class connection from its own loopback address. */
class Peer {
  readonly ws: WebSocket;
  private readonly queue: Msg[] = [];
  private readonly waiters: { type: string; resolve: (m: Msg) => void }[] = [];
  errors: Msg[] = [];
  onMessage: ((m: Msg) => void) | null = null;
  constructor(port: number, localAddress: string) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/class`, { localAddress });
    this.ws.on('error', () => {});
    this.ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Msg;
      if (m.type === 'error') this.errors.push(m);
      this.onMessage?.(m);
      const w = this.waiters.findIndex((x) => x.type === m.type || (m.type === 'error' && x.type !== 'dashboard-delta'));
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(m);
      else if (m.type !== 'dashboard-delta') this.queue.push(m);
    });
  }
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }
  next(type: string): Promise<Msg> {
    const i = this.queue.findIndex((m) => m.type === type || m.type === 'error');
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }
  send(m: unknown) {
    this.ws.send(JSON.stringify(m));
  }
}

/** Learner i's own address: 127.1.x.y, never 127.0.0.1 (the instructor's). */
const addressOf = (i: number) => `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function startRedis(dir: string): Promise<{ proc: ChildProcess; url: string }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve({ proc, url: `redis://127.0.0.1:${port}` });
    });
    proc.once('exit', (c) => reject(new Error(`redis-server exited (${c}): ${out}`)));
  });
}

interface Layout {
  name: string;
  /** Where learner i connects. */
  instanceOf(i: number): BenchServer;
  /** The instructor's instance; "on A" below means instance 0. */
  dashboard: BenchServer;
  a: BenchServer;
  servers: BenchServer[];
  redisUrl?: string;
  /** Where the class is kept, as printed (a PostgreSQL URL without its password). */
  store: string;
}

/** A PostgreSQL URL fit to print: the password hidden. */
function shown(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function run(layout: Layout, code: string): Promise<void> {
  console.log(`\n== ${layout.name}: ${LEARNERS} learners; class store: ${layout.store}`);
  const teacher = new Peer(layout.dashboard.port, '127.0.0.1');
  await teacher.opened();
  teacher.send({ type: 'instructor', key: KEY });
  await teacher.next('dashboard');
  /** When each student's lesson first showed on the dashboard, and each feed call. */
  const lessonSeen = new Map<string, number>();
  const feedSeen = new Map<string, number>();
  teacher.onMessage = (m) => {
    const now = Date.now();
    const students = (m.students ?? []) as { id: number; lessons?: Record<string, unknown> }[];
    for (const s of students) for (const slug of Object.keys(s.lessons ?? {})) if (!lessonSeen.has(`${s.id}:${slug}`)) lessonSeen.set(`${s.id}:${slug}`, now);
    for (const f of (m.feed ?? []) as { student: string; call: string }[]) if (!feedSeen.has(f.student)) feedSeen.set(f.student, now);
  };

  // The join storm: everyone at once.
  const t0 = Date.now();
  const joins = await Promise.all(
    Array.from({ length: LEARNERS }, async (_, i) => {
      const p = new Peer(layout.instanceOf(i).port, addressOf(i));
      try {
        await p.opened();
        p.send({ type: 'join', code, nickname: `${layout.name.slice(0, 3)} learner ${i}` });
        const r = await p.next('joined');
        return r.type === 'joined' ? { p, i, id: (r.student as { id: number }).id, token: String(r.token), nick: String((r.student as { nickname: string }).nickname) } : { p, i, failed: r };
      } catch (e) {
        return { p, i, failed: { type: 'error', message: (e as Error).message } as Msg };
      }
    }),
  );
  const joinMs = Date.now() - t0;
  const joined = joins.filter((j): j is typeof j & { id: number; token: string; nick: string } => !('failed' in j));
  console.log(`join storm: ${joined.length}/${LEARNERS} joined in ${joinMs} ms${joined.length < LEARNERS ? ` (first failure: ${JSON.stringify(joins.find((j) => 'failed' in j)?.failed)})` : ''}`);

  // Bus latency: a subscriber of the class channel sees each progress event.
  const busSeen = new Map<number, number>();
  let sub: Redis | null = null;
  if (layout.redisUrl) {
    sub = new Redis(layout.redisUrl);
    await sub.psubscribe('socketlab:class:*');
    sub.on('pmessage', (_p, _c, text: string) => {
      const e = JSON.parse(text).event;
      if (e.type === 'progress' && !busSeen.has(e.studentId)) busSeen.set(e.studentId, Date.now());
    });
  }

  // Dashboard staleness: every learner on A reports a lesson, spread over 3 s (a class, not a burst).
  const onA = joined.filter((j) => layout.instanceOf(j.i) === layout.a);
  const slug = LESSON_SLUGS[0];
  const sent = new Map<number, number>();
  const spread = 3000 / Math.max(1, onA.length);
  for (const [n, j] of onA.entries()) {
    setTimeout(() => {
      sent.set(j.id, Date.now());
      j.p.send({ type: 'progress', lessons: { [slug]: { read: true, quiz: null } }, seq: 1 });
    }, n * spread);
  }
  const deadline = Date.now() + 3000 + 15_000;
  while (Date.now() < deadline && [...sent.keys()].filter((id) => lessonSeen.has(`${id}:${slug}`)).length < onA.length) await new Promise((r) => setTimeout(r, 100));
  const stale = [...sent].filter(([id]) => lessonSeen.has(`${id}:${slug}`)).map(([id, at]) => lessonSeen.get(`${id}:${slug}`)! - at);
  const s = summary(stale);
  console.log(`dashboard staleness (progress on A → dashboard on ${layout.dashboard === layout.a ? 'A' : 'B'}): n=${s.n}/${onA.length} p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms; p99 beyond the ${CADENCE_MS} ms cadence: ${s.p99 - CADENCE_MS} ms`);
  if (sub) {
    const bus = summary([...sent].filter(([id]) => busSeen.has(id)).map(([id, at]) => busSeen.get(id)! - at));
    console.log(`bus latency (progress sent on A → its event off Redis, incl. the 100 ms batch): n=${bus.n} p50 ${bus.p50} ms, p99 ${bus.p99} ms, max ${bus.max} ms`);
  }

  // Feed delivery: learners on A make one lab call each, paced at 15 a second.
  const callers = onA.slice(0, CALLS);
  const called = new Map<string, number>();
  const labs: LeanClient[] = [];
  let labErrors = 0;
  await Promise.all(
    callers.map(async (j, n) => {
      await new Promise((r) => setTimeout(r, (n * 1000) / 15));
      const lab = new LeanClient(new WebSocket(`ws://127.0.0.1:${layout.a.port}/lab?student=${j.token}`, { localAddress: addressOf(j.i) }));
      labs.push(lab);
      // A refused session closes without a hello: counted as an error, never waited for.
      const opened = await Promise.race([lab.hello.then(() => true, () => false), new Promise<boolean>((r) => lab.ws.once('close', () => r(false)))]);
      if (!opened) return void labErrors++;
      const r = await lab.call('socket', { type: 'tcp' });
      if (r.ok) called.set(j.nick, Date.now());
      else labErrors++;
    }),
  );
  const feedDeadline = Date.now() + 10_000;
  while (Date.now() < feedDeadline && [...called.keys()].filter((k) => feedSeen.has(k)).length < called.size) await new Promise((r) => setTimeout(r, 100));
  const feed = summary([...called].filter(([k]) => feedSeen.has(k)).map(([k, at]) => feedSeen.get(k)! - at));
  console.log(`feed delivery (lab call on A returns → in the feed on ${layout.dashboard === layout.a ? 'A' : 'B'}): n=${feed.n}/${callers.length} p50 ${feed.p50} ms, p99 ${feed.p99} ms, max ${feed.max} ms; p99 beyond cadence: ${feed.p99 - CADENCE_MS} ms`);

  const errors = joins.reduce((n, j) => n + j.p.errors.length, 0) + teacher.errors.length + labErrors + (LEARNERS - joined.length);
  const rss = layout.servers.map((srv, k) => `${String.fromCharCode(65 + k)} ${srv.rssMiB().toFixed(0)} MiB`).join(', ');
  console.log(`errors: ${errors}${errors ? ` (first: ${JSON.stringify(joins.flatMap((j) => j.p.errors)[0] ?? teacher.errors[0])})` : ''}; RSS: ${rss} (${verdict(layout.servers.every((x) => x.rssMiB() < 1024))} ≤ 1 GiB)`);

  for (const l of labs) l.close();
  for (const j of joins) j.p.ws.close();
  teacher.ws.close();
  await sub?.quit();
}

const env = {
  // The lab counts every loopback address as one machine (server/lab/hub.ts): room for every caller.
  SOCKETLAB_SESSIONS_PER_ADDRESS: String(LEARNERS * 2 + 20),
  SOCKETLAB_CLASS_STUDENTS_PER_ADDRESS: '100',
};
const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-scale-'));
const cleanup: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
try {
  console.log(machineLine());
  const redis = await startRedis(dir);
  cleanup.unshift(() => void redis.proc.kill('SIGKILL'));
  // Where each layout's class is kept: a SQLite file of its own, or a PostgreSQL database.
  let classData: (name: 'two' | 'one') => Promise<string>;
  if (CLASS_DATA === 'sqlite') classData = async (name) => path.join(dir, `${name}.sqlite`);
  else if (CLASS_DATA === 'postgres') {
    const pg = await startPostgres();
    cleanup.splice(cleanup.length - 1, 0, () => pg.close());
    classData = (name) => pg.createDatabase(`scale_${name}`);
  } else classData = async () => CLASS_DATA;
  const storeOf = (data: string) => (data.includes('://') ? `PostgreSQL ${shown(data)}` : `SQLite ${data}`);
  // A fresh class each time (a given PostgreSQL database may hold one from an earlier run).
  const args = (data: string, chatPort: number, fresh: boolean) => ['--class', '--lab-only', '--quiet', '--class-data', data, '--instructor-key', KEY, '--class-chat-port', String(chatPort), ...(fresh ? ['--new-class'] : [])];
  // Two instances, one class: A makes it, B picks it up from the same store.
  const two = await classData('two');
  const a = await startBenchServer([...args(two, 41990, true), '--redis', redis.url], env);
  cleanup.unshift(() => a.stop());
  const code = (await a.waitForOutput(/code=([2-9A-Z]{6})/))[1];
  const b = await startBenchServer([...args(two, 41995, false), '--redis', redis.url], env);
  cleanup.unshift(() => b.stop());
  await run({ name: 'two instances', instanceOf: (i) => (i % 2 ? b : a), dashboard: b, a, servers: [a, b], redisUrl: redis.url, store: storeOf(two) }, code);
  await b.stop();
  await a.stop();
  cleanup.splice(0, 2);

  const oneData = await classData('one');
  const one = await startBenchServer(args(oneData, 41990, true), env);
  cleanup.unshift(() => one.stop());
  const code1 = (await one.waitForOutput(/code=([2-9A-Z]{6})/))[1];
  await run({ name: 'one instance', instanceOf: () => one, dashboard: one, a: one, servers: [one], store: storeOf(oneData) }, code1);
  console.log(machineLine());
} finally {
  for (const c of cleanup) await c();
}
