/**
 * The class in PostgreSQL, on a throwaway cluster of its own (tests/helpers/postgres.ts): the
 * shared class-store suite; start errors with their codes (a bad URL, refused credentials, nobody
 * listening); a server whose database goes away mid-class (joins and progress hear
 * E_STORE_UNAVAILABLE, the lab keeps working, every acknowledged report is there after it returns);
 * two servers on one database serving one class; a `kill -9` losing no acknowledged report; racing
 * wrong codes held to the limit; and "ready means ready" while the class is held up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import type { RunningServer } from '../../server/app.ts';
import { StoreStartError } from '../../server/class/class-store.ts';
import { PENALTY_PLACES, WRONG_CODES_BURST, WRONG_CODES_PER_CONNECTION } from '../../server/class/limits.ts';
import { openStore } from '../../server/class/store/open-store.ts';
import { CLASS_LOCK_KEY, PG_MIGRATIONS, PostgresClassStore } from '../../server/class/store/postgres-store.ts';
import { connect, ok, startLab, waitUntil } from '../helpers/lab.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { needs } from '../helpers/tools.ts';
import { classStoreSuite } from './class-store.shared.ts';
import { bootClassServer, instructor, keyOf, openPeer, type ClassPeer } from './class.shared.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = needs('postgres');
let cluster: PostgresCluster | undefined;
let dbs = 0;
const database = () => cluster!.createDatabase(`class_${process.pid}_${dbs++}`);

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function studentJoins(port: number, code: string, nickname: string): Promise<{ peer: ClassPeer; token: string }> {
  const peer = await openPeer(port);
  peer.send({ type: 'join', code, nickname });
  const r = await peer.reply(15_000);
  assert.equal(r.type, 'joined', JSON.stringify(r));
  return { peer, token: (r as { token: string }).token };
}

describe('the class in PostgreSQL', { skip, timeout: 400_000 }, () => {
  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.close();
  });

  classStoreSuite('postgres', {
    schemaVersion: PG_MIGRATIONS.length,
    async fresh() {
      const url = await database();
      return { store: await PostgresClassStore.open(url), another: () => PostgresClassStore.open(url) };
    },
  });

  describe('start errors', { timeout: 120_000 }, () => {
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof StoreStartError, String(e));
        assert.doesNotMatch(e.message, /lab-test-password/, 'the password is never shown');
        return e.code;
      }
      assert.fail('opened');
    };

    it('a URL that is not one, or not PostgreSQL: E_CLASS_DATA_URL', async () => {
      assert.equal(await code(openStore('postgres://u:lab-test-password@[::1/db', ROOT)), 'E_CLASS_DATA_URL');
      assert.equal(await code(openStore('mysql://u@127.0.0.1/db', ROOT)), 'E_CLASS_DATA_URL');
    });

    it('refused credentials: E_CLASS_DATA_AUTH; nobody listening: E_CLASS_DATA_UNREACHABLE', async () => {
      const url = await database();
      assert.equal(await code(PostgresClassStore.open(url.replace('lab-test-password', 'wrong'))), 'E_CLASS_DATA_AUTH');
      const port = await closedPort();
      assert.equal(await code(PostgresClassStore.open(`postgres://socketlab:lab-test-password@127.0.0.1:${port}/db`)), 'E_CLASS_DATA_UNREACHABLE');
    });

    it('the server stops with one line naming the code, and nothing listens', async () => {
      const url = (await database()).replace('lab-test-password', 'wrong');
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', '--lab-only', '--port', '0', '--class', '--class-data', url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (err += d));
      const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      const exit = await new Promise<number | null>((r) => proc.once('exit', r));
      clearTimeout(killer);
      assert.equal(exit, 1, err);
      assert.doesNotMatch(out, /running at/);
      const lines = err.trim().split('\n');
      assert.equal(lines.length, 1, err);
      assert.match(lines[0], /refused the credentials.*\[E_CLASS_DATA_AUTH\]$/);
      assert.doesNotMatch(err, /wrong@|lab-test-password/, 'no password in the message');
    });
  });

  describe('a class on PostgreSQL', { timeout: 200_000 }, () => {
    let url: string;
    let server: RunningServer;
    let second: RunningServer | undefined;
    let code: string;
    const [lessonA, lessonB] = LESSON_SLUGS;
    before(async () => {
      url = await database();
      server = await startLab({ class: true, classData: url, classChatPort: 41970 });
      code = server.classroom!.hub.info.code;
    });
    after(async () => {
      await second?.close();
      await server?.close();
    });

    it('acknowledges a stored report; answers a report for an unknown lesson with E_UNKNOWN_LESSON', async () => {
      const { peer } = await studentJoins(server.port, code, 'Uma');
      peer.send({ type: 'progress', lessons: { [lessonA]: { read: true, quiz: null }, 'no-such-lesson': { read: true, quiz: null } }, seq: 1 });
      const err = await peer.next('error');
      assert.equal(err.code, 'E_UNKNOWN_LESSON');
      assert.match(err.message, /no-such-lesson/);
      await peer.next('progress-saved', (m) => m.seq === 1, 10_000);
      const check = await PostgresClassStore.open(url);
      try {
        const uma = (await check.students()).find((s) => s.nickname === 'Uma')!;
        assert.deepEqual(await check.progressOf(uma.id), { [lessonA]: { read: true, quiz: null } }, 'the known lesson is stored, the unknown one not');
      } finally {
        await check.close();
      }
      peer.close();
    });

    it('two servers on one database serve one class: one code, a token resumes on either, one nickname, one open lesson', async () => {
      second = await startLab({ class: true, classData: url, classChatPort: 41975 });
      assert.equal(second.classroom!.resumed, true);
      assert.equal(second.classroom!.hub.info.code, code);
      const { peer, token } = await studentJoins(server.port, code, 'Noor');
      const elsewhere = await openPeer(second.port);
      elsewhere.send({ type: 'resume', token });
      const r = await elsewhere.reply(10_000);
      assert.equal(r.type, 'joined', JSON.stringify(r));
      assert.equal((r as { resumed: boolean }).resumed, true);
      const twin = await openPeer(second.port);
      twin.send({ type: 'join', code, nickname: 'NOOR' });
      const t = await twin.reply(10_000);
      assert.equal(t.type === 'error' && t.code, 'E_NICK_TAKEN');
      // The lesson the instructor opens through one server is the one a join through the other hears.
      const teacher = await instructor(server.port, keyOf(server));
      teacher.send({ type: 'open-lesson', slug: lessonB });
      await peer.next('open-lesson');
      const late = await openPeer(second.port);
      late.send({ type: 'join', code, nickname: 'Lina' });
      const l = await late.reply(10_000);
      assert.equal(l.type === 'joined' && l.lesson, lessonB);
      for (const p of [peer, elsewhere, twin, teacher, late]) p.close();
    });

    it('the database away: joins and progress hear E_STORE_UNAVAILABLE, the lab works, acknowledged reports are all there after', { timeout: 180_000 }, async () => {
      const { peer, token } = await studentJoins(server.port, code, 'Ravi');
      peer.send({ type: 'progress', lessons: { [lessonA]: { read: true, quiz: { score: 3, total: 5, passed: true } } }, seq: 1 });
      await peer.next('progress-saved', (m) => m.seq === 1, 10_000);

      await cluster!.stop('fast');
      try {
        const late = await openPeer(server.port);
        late.send({ type: 'join', code, nickname: 'Late' });
        const r = await late.reply(20_000);
        assert.equal(r.type === 'error' && r.code, 'E_STORE_UNAVAILABLE', JSON.stringify(r));
        late.close();

        peer.send({ type: 'progress', lessons: { [lessonB]: { read: true, quiz: { score: 4, total: 5, passed: true } } }, seq: 2 });
        const e = await peer.next('error', (m) => m.code === 'E_STORE_UNAVAILABLE', 20_000);
        assert.match(e.message, /not saved yet/);
        assert.equal(peer.messages.some((m) => m.type === 'progress-saved' && m.seq === 2), false, 'not acknowledged while away');

        // The lab does not need the database.
        const lab = await connect(server, { student: token });
        const { sock } = await ok(lab.client.call('socket', { type: 'tcp' }));
        await ok(lab.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
        lab.ws.close();

        // A student this instance knows comes back from the cache.
        const back = await openPeer(server.port);
        back.send({ type: 'resume', token });
        const b = await back.reply(20_000);
        assert.equal(b.type, 'joined', JSON.stringify(b));
        back.close();
      } finally {
        await cluster!.start();
      }
      // The kept report is written by the batch's retry and acknowledged then.
      await peer.next('progress-saved', (m) => m.seq === 2, 30_000);
      const again = await studentJoins(server.port, code, 'Late');
      again.peer.close();

      const check = await PostgresClassStore.open(url);
      try {
        const ravi = (await check.students()).find((s) => s.nickname === 'Ravi')!;
        assert.deepEqual(await check.progressOf(ravi.id), {
          [lessonA]: { read: true, quiz: { score: 3, total: 5, passed: true } },
          [lessonB]: { read: true, quiz: { score: 4, total: 5, passed: true } },
        });
      } finally {
        await check.close();
      }
      peer.close();
    });
  });

  describe('a kill -9 of a server on PostgreSQL', { timeout: 120_000 }, () => {
    it('loses no acknowledged progress report, even mid-flood', async () => {
      const url = await database();
      const one = await bootClassServer(url, 41992);
      let stored: Awaited<ReturnType<PostgresClassStore['progressOf']>>;
      let acked = 0;
      try {
        const p = await openPeer(one.port);
        p.send({ type: 'join', code: one.code, nickname: 'Gil' });
        await p.next('joined', () => true, 15_000);
        // Each report is the whole state: report n has every lesson at score n.
        const report = (n: number) => Object.fromEntries(LESSON_SLUGS.map((slug) => [slug, { read: true, quiz: { score: n, total: 100, passed: n >= 50 } }]));
        p.ws.on('message', (d) => {
          const m = JSON.parse(String(d));
          if (m.type === 'progress-saved') acked = Math.max(acked, m.seq);
        });
        for (let n = 1; n <= 15; n++) p.send({ type: 'progress', lessons: report(n), seq: n });
        await waitUntil(() => acked > 0, 15_000, 'an acknowledgement');
      } finally {
        one.proc.kill('SIGKILL');
        await one.exited;
      }
      const check = await PostgresClassStore.open(url);
      try {
        const gil = (await check.students()).find((s) => s.nickname === 'Gil')!;
        stored = await check.progressOf(gil.id);
      } finally {
        await check.close();
      }
      for (const slug of LESSON_SLUGS) {
        const score = stored[slug]?.quiz?.score ?? 0;
        assert.ok(score >= acked, `${slug}: stored report ${score}, but report ${acked} was acknowledged`);
      }
    });
  });

  describe('wrong codes racing a store that answers later', { timeout: 120_000 }, () => {
    it('guesses sent at once from one address are held to the limit, not all checked', async () => {
      const server = await startLab({ class: true, classData: await database(), classChatPort: 41985 });
      try {
        const code = server.classroom!.hub.info.code;
        const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
        const peers = await Promise.all(Array.from({ length: 8 }, () => openPeer(server.port)));
        // 8 connections x 5 guesses, all sent before any answer: 40 codes race each store read.
        for (const p of peers) for (let i = 0; i < WRONG_CODES_PER_CONNECTION; i++) p.send({ type: 'join', code: wrong, nickname: 'Guess' });
        const errors = await Promise.all(
          peers.map(async (p) => {
            await waitUntil(() => p.messages.filter((m) => m.type === 'error' && (m.code === 'E_BAD_CODE' || m.code === 'E_LIMIT')).length >= WRONG_CODES_PER_CONNECTION, 20_000, 'an answer to every guess');
            return p.messages.filter((m): m is Extract<typeof m, { type: 'error' }> => m.type === 'error').map((m) => m.code);
          }),
        );
        const checked = errors.flat().filter((c) => c === 'E_BAD_CODE').length;
        // The allowance, then one guess per penalty place; the rest are refused before any check.
        assert.ok(checked <= WRONG_CODES_BURST + PENALTY_PLACES + 1, `${checked} of 40 racing guesses were checked`);
        assert.ok(checked >= WRONG_CODES_BURST, `${checked}: the allowance itself is honoured`);
        for (const p of peers) p.close();
      } finally {
        await server.close();
      }
    });
  });

  describe('ready means ready', { timeout: 120_000 }, () => {
    it('answers 503 (and /readyz says what it waits for) until the class is up, then 200', async () => {
      const url = await database();
      // The class is made under an advisory lock: held here, the server listens but cannot finish starting.
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [CLASS_LOCK_KEY]);
      const port = await closedPort();
      let server: RunningServer | undefined;
      const starting = startLab({ class: true, classData: url, classChatPort: 41980, port }).then((s) => (server = s));
      try {
        let readyz: Response | undefined;
        await waitUntil(async () => {
          readyz = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return readyz !== undefined;
        }, 60_000, 'the server to listen');
        assert.equal(readyz!.status, 503);
        assert.deepEqual(await readyz!.json(), { ready: false, stopping: false, waitingFor: ['class'] });
        const page = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(page.status, 503);
        assert.equal(page.headers.get('retry-after'), '1');
        const refused = await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/class`);
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => reject(new Error('the upgrade was taken before the class was ready')));
          ws.on('error', () => {});
        });
        assert.equal(refused, 503);
        assert.equal(server, undefined, 'still starting');
      } finally {
        await holder.query('COMMIT');
        await holder.end();
      }
      await starting;
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { ready: true, stopping: false, waitingFor: [] });
      const peer = await openPeer(port);
      peer.close();
      await server!.close();
    });
  });
});
