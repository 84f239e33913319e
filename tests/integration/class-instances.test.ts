/**
 * One class on two server instances behind nginx, with live class events over Redis (issue 21):
 * real redis-server, real nginx, two real server processes sharing one class file. A student on
 * instance A shows up, with progress and lab calls, on the instructor's dashboard on instance B;
 * the instructor presents from B and the student on A follows the steps; Redis restarts mid-class
 * (partial view while it is down, events again after, nothing acknowledged lost); `kill -9` of A
 * and the student resumes through the proxy on B with their progress. Run with the class in one
 * SQLite file both instances open, and in PostgreSQL (where its server binaries are installed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Step } from '../../server/protocol/index.ts';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { connect, ok, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';
import { freePort } from '../helpers/free-port.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startNginx, type TestNginx } from '../helpers/nginx.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { boot, KEY, procs, routeTo, viaProxy, type Instance } from './class-instances.shared.ts';

const [LESSON_1, LESSON_2, LESSON_3] = LESSON_SLUGS;

const lesson = (read: boolean) => ({ read, quiz: null });

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`a class on two instances behind nginx, events over Redis (class in ${engine})`, { skip: needs('redisServer', 'nginx', ...(engine === 'postgres' ? (['postgres'] as const) : [])), timeout: 240_000 }, () => {
    let dir: string;
    let pg: PostgresCluster | null = null;
    let redis: TestRedis;
    let nginx: TestNginx;
    let a: Instance;
    let b: Instance;
    let toA: string;
    let toB: string;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'socketlab-instances-'));
      redis = await startRedis();
      const [portA, portB, proxyPort] = [await freePort(), await freePort(), await freePort()];
      if (engine === 'postgres') pg = await startPostgres();
      const dataFile = pg ? await pg.createDatabase('instances') : path.join(dir, 'class.sqlite');
      const common = { dataFile, redis: redis.url, proxyOrigin: `http://127.0.0.1:${proxyPort}` };
      // A makes the class; B, started after it, serves the same one from the same file.
      a = await boot('A', portA, { ...common, chatPort: 41975 });
      b = await boot('B', portB, { ...common, chatPort: 41985 });
      nginx = await startNginx([portA, portB], proxyPort);
      [toA, toB] = [await routeTo(nginx, portA), await routeTo(nginx, portB)];
    });

    after(async () => {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      await nginx?.stop();
      await redis?.stop();
      await pg?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('counts wrong join codes across instances: two instances give a guesser one allowance, not two', async () => {
      // Straight to each instance from an address of its own (not the proxy's, which Ada uses below).
      const guess = async (port: number, codes: number): Promise<string[]> => {
        const got: string[] = [];
        for (let sent = 0; sent < codes; ) {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/class`, { localAddress: '127.0.0.9' });
          const replies: { type: string; code?: string }[] = [];
          ws.on('message', (d) => replies.push(JSON.parse(String(d))));
          await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
          // Four a connection: the fifth would close it (WRONG_CODES_PER_CONNECTION).
          for (let k = 0; k < 4 && sent < codes; k++, sent++) {
            const before = replies.filter((m) => m.type === 'error').length;
            ws.send(JSON.stringify({ type: 'join', code: wrongCode, nickname: `Guess ${sent}` }));
            await waitUntil(() => replies.filter((m) => m.type === 'error').length > before, 5000, 'an answer to a guess');
          }
          got.push(...replies.filter((m) => m.type === 'error').map((m) => m.code!));
          ws.close();
        }
        return got;
      };
      const wrongCode = a.code === '222222' ? '333333' : '222222';
      // 15 on each: each instance alone would still check every one (its own burst is 20).
      const first = [...(await guess(a.port, 15)), ...(await guess(b.port, 15))];
      assert.deepEqual([...new Set(first)], ['E_BAD_CODE']);
      // The 31st, even with the right code, waits: the address spent the one shared allowance.
      const ws = new WebSocket(`ws://127.0.0.1:${b.port}/class`, { localAddress: '127.0.0.9' });
      const replies: { type: string; code?: string }[] = [];
      ws.on('message', (d) => replies.push(JSON.parse(String(d))));
      await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
      ws.send(JSON.stringify({ type: 'join', code: a.code, nickname: 'Right Code' }));
      await waitUntil(() => replies.some((m) => m.type === 'error' || m.type === 'joined'), 5000, 'an answer');
      assert.equal(replies.find((m) => m.type === 'error' || m.type === 'joined')?.code, 'E_LIMIT');
      ws.close();
    });

    it('serves one class across both instances, survives a Redis restart and an instance killed with kill -9', async () => {
      assert.equal(b.code, a.code, 'both instances serve the one class in the file');

      // The instructor's dashboard lives on B; the student lands on A, both through the proxy.
      const teacher = await viaProxy(nginx, toB);
      teacher.send({ type: 'instructor', key: KEY });
      await teacher.next('dashboard');
      const ada = await viaProxy(nginx, toA);
      ada.send({ type: 'join', code: a.code, nickname: 'Ada' });
      const joined = await ada.next('joined');
      const id = joined.student.id;
      let d = await teacher.waitDashboard((x) => x.students.some((s) => s.id === id && s.online), 8000);
      assert.equal(d.partial, undefined, 'a full view says nothing');

      // Progress, acknowledged on A, shows on B.
      ada.send({ type: 'progress', lessons: { [LESSON_1]: lesson(true) }, seq: 1 });
      await ada.next('progress-saved', (m) => m.seq === 1);
      await teacher.waitDashboard((x) => x.students.find((s) => s.id === id)?.lessons[LESSON_1]?.read === true, 8000);

      // Lab calls on A reach B's feed and counts.
      const adaLab = await connect({ port: nginx.port }, { student: joined.token, headers: { cookie: toA } });
      const { sock } = await ok(adaLab.client.call('socket', { type: 'tcp' }));
      await ok(adaLab.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      d = await teacher.waitDashboard((x) => (x.students.find((s) => s.id === id)?.labCalls ?? 0) >= 2 && x.feed.some((f) => f.student === 'Ada' && f.call.startsWith('bind')), 8000);

      // The instructor presents a session on B; Ada, on A, follows it and sees its steps.
      const stage: Connected = await connect({ port: nginx.port }, { headers: { cookie: toB } });
      teacher.send({ type: 'present', watchToken: stage.hello.watchToken });
      const pres = await ada.next('presenting', (m) => m.watchToken === stage.hello.watchToken, 8000);
      const follower = await connect({ port: nginx.port }, { watch: pres.watchToken!, headers: { cookie: toA } });
      assert.equal(follower.hello.role, 'viewer');
      await ok(stage.client.call('socket', { type: 'udp' }));
      const step = (await follower.waitEvent((e) => e.event === 'step' && (e as Step).op === 'socket', 8000)) as Step;
      assert.equal(step.status, 'ok');

      // Redis goes away: B's dashboard says its view is partial; Ada, on A, is still served and acknowledged.
      const restarted = redis.restart(1500);
      await teacher.waitDashboard((x) => x.partial === true, 8000);
      ada.send({ type: 'progress', lessons: { [LESSON_2]: lesson(true) }, seq: 2 });
      await ada.next('progress-saved', (m) => m.seq === 2, 8000);
      await restarted;
      // Back: the view is whole again, what was acknowledged meanwhile is there, and events flow again.
      await teacher.waitDashboard((x) => x.partial === false && x.students.find((s) => s.id === id)?.lessons[LESSON_2]?.read === true, 15_000);
      ada.send({ type: 'progress', lessons: { [LESSON_3]: lesson(true) }, seq: 3 });
      await ada.next('progress-saved', (m) => m.seq === 3);
      await teacher.waitDashboard((x) => x.students.find((s) => s.id === id)?.lessons[LESSON_3]?.read === true, 8000);
      // The follower on A stayed attached through it (the presenter said so again, it was not re-made) and gets steps again.
      await ok(stage.client.call('socket', { type: 'tcp' }));
      await waitUntil(() => follower.steps().filter((x) => x.op === 'socket').length >= 2, 8000, 'the presenter\'s next step on A after Redis came back');
      assert.equal(follower.ws.readyState, follower.ws.OPEN);

      // A dies. Ada's browser reconnects through the proxy (same cookie), lands on B, resumes with her token.
      const adaClosed = ada.closed;
      a.proc.kill('SIGKILL');
      await a.exited;
      await adaClosed;
      const again = await viaProxy(nginx, toA);
      again.send({ type: 'resume', token: joined.token });
      const resumed = await again.next('joined', () => true, 8000);
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.student.id, id);
      d = await teacher.waitDashboard((x) => x.students.find((s) => s.id === id)?.online === true, 8000);
      const row = d.students.find((s) => s.id === id)!;
      for (const slug of [LESSON_1, LESSON_2, LESSON_3]) assert.equal(row.lessons[slug]?.read, true, `${slug} kept`);
      // A new lab session on B, under her name.
      const labOnB = await connect({ port: nginx.port }, { student: joined.token, headers: { cookie: toA } });
      await ok(labOnB.client.call('socket', { type: 'tcp' }));
      await waitUntil(() => teacher.dashboard!.feed.filter((f) => f.student === 'Ada').length >= 3, 8000, 'her call on B in the feed');

      for (const c of [adaLab, stage, follower, labOnB]) c.ws.close();
      for (const p of [teacher, again]) p.close();
    });
  });
}
