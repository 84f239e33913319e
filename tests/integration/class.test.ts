/**
 * Class hosting over real WebSockets: an instructor and students join, report progress, follow the
 * presenter, chat, try what they must not (other students' sockets, instructor messages, the
 * dashboard), and a `kill -9` of the server mid-class loses neither roster nor any progress report
 * the server acknowledged. class-abuse.test.ts tries floods and guessing; class-nicknames.test.ts
 * the nickname rules.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { connect, errCode, ok, startLab, waitUntil } from '../helpers/lab.ts';
import { ClassPeer, bootClassServer, keyOf, openPeer, type ClassProcess } from './class.shared.ts';

describe('class hosting', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let dir: string;
  let code: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-'));
    server = await startLab({ class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41950 });
    code = server.classroom!.hub.info.code;
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function student(nickname: string) {
    const p = new ClassPeer(server.port);
    await p.opened;
    await p.next('hello');
    p.send({ type: 'join', code: `${code.slice(0, 3)}-${code.slice(3).toLowerCase()}`, nickname });
    const joined = await p.next('joined');
    return { peer: p, token: joined.token, id: joined.student.id };
  }

  it('runs a class: join, progress, feed, presenter, open lesson, isolation, chat, end and summary', async () => {
    const teacher = new ClassPeer(server.port);
    await teacher.opened;
    teacher.send({ type: 'instructor', key: keyOf(server) });
    const first = await teacher.next('dashboard');
    assert.equal(first.class.code, code, 'the instructor sees the code');
    assert.match(first.qrSvg, /^<svg/);

    const ana = await student('Ana');
    const ben = await student('Ben');
    const cleo = await student('Cléo');

    // Joining: a taken nickname, a wrong code.
    const dup = new ClassPeer(server.port);
    await dup.opened;
    dup.send({ type: 'join', code, nickname: 'ana' });
    assert.equal((await dup.next('error')).code, 'E_NICK_TAKEN');
    dup.send({ type: 'join', code: 'ZZZZZZ', nickname: 'Eve' });
    assert.equal((await dup.next('error')).code, 'E_BAD_CODE');

    // Students cannot use instructor messages, nor a wrong key.
    for (const m of [{ type: 'open-lesson', slug: 'sockets' }, { type: 'present', watchToken: null }, { type: 'end-class' }]) {
      ana.peer.send(m);
      assert.equal((await ana.peer.next('error')).code, 'E_FORBIDDEN');
    }
    dup.send({ type: 'instructor', key: 'x'.repeat(32) });
    assert.equal((await dup.next('error')).code, 'E_FORBIDDEN');

    // Progress reports reach the dashboard.
    ana.peer.send({ type: 'progress', lessons: { networks: { read: true, quiz: { score: 4, total: 5, passed: true } }, 'no-such': { read: true, quiz: null } } });
    ben.peer.send({ type: 'progress', lessons: { networks: { read: true, quiz: null } } });
    const dash = await teacher.waitDashboard((d) => d.students.find((s) => s.nickname === 'Ana')?.lessons.networks?.quiz?.passed === true);
    assert.deepEqual(dash.students.map((s) => [s.nickname, s.online]), [['Ana', true], ['Ben', true], ['Cléo', true]]);
    assert.equal(dash.students[0].lessons['no-such'], undefined, 'unknown lessons are ignored');

    // Students' lab calls appear in the feed, and errors are tallied per student.
    const labs = await Promise.all([ana, ben].map((s) => connect(server, { student: s.token })));
    const [aLab, bLab] = labs;
    const { sock } = await ok(aLab.client.call('socket', { type: 'tcp' }));
    const { port } = await ok(aLab.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    await ok(aLab.client.call('listen', { sock }));
    const { sock: aCli } = await ok(aLab.client.call('socket', { type: 'tcp' }));
    await ok(aLab.client.call('connect', { sock: aCli, address: '127.0.0.1', port }));
    const { sock: aConn } = await ok(aLab.client.call('accept', { sock }));
    await ok(aLab.client.call('send', { sock: aCli, data: 'secret of ana' }));
    await ok(aLab.client.call('recv', { sock: aConn }));
    for (const s of [aLab, bLab]) {
      const { sock: t } = await ok(s.client.call('socket', { type: 'tcp' }));
      assert.equal(await errCode(s.client.call('bind', { sock: t, address: '127.0.0.1', port })), 'EADDRINUSE');
    }
    const withTally = await teacher.waitDashboard((d) => d.errors.some((e) => e.code === 'EADDRINUSE' && e.students === 2));
    assert.ok(withTally.feed.some((f) => f.student === 'Ana' && f.call.startsWith('listen(')));
    assert.ok(withTally.students.find((s) => s.nickname === 'Ben')!.labErrors >= 1);

    // Isolation: Ben cannot name Ana's sockets, cannot watch her session, never sees her payloads.
    assert.equal(await errCode(bLab.client.call('send', { sock: aConn, data: 'x' })), 'E_NO_SOCKET', `${aConn} exists only in Ana's session`);
    const spy = new WebSocket(`ws://127.0.0.1:${server.port}/lab?watch=${'A'.repeat(24)}`);
    const spyFirst = await new Promise<string>((r) => spy.once('message', (d) => r(String(d))));
    assert.match(spyFirst, /E_NO_SOCKET/);
    assert.equal(JSON.stringify(bLab.events).includes('secret of ana'), false);

    // Presenter mode: the instructor's own lab, mirrored read-only on students' screens.
    const stage = await connect(server);
    teacher.send({ type: 'present', watchToken: stage.hello.watchToken });
    const pres = await cleo.peer.next('presenting');
    assert.equal(pres.watchToken, stage.hello.watchToken);
    const follower = await connect(server, { watch: pres.watchToken! });
    assert.equal(follower.hello.role, 'viewer');
    await ok(stage.client.call('socket', { type: 'udp', actor: 'teacher' }));
    await follower.waitEvent((e) => e.event === 'step' && e.actor === 'teacher');
    await ok(stage.client.call('kernel', {}));
    await follower.waitEvent((e) => e.event === 'kernel-table');
    assert.equal(await errCode(follower.client.call('socket', { type: 'tcp' })), 'E_POLICY', 'followers are read-only');

    // Open a lesson for everyone.
    teacher.send({ type: 'open-lesson', slug: 'sockets' });
    for (const s of [ana, ben, cleo]) assert.equal((await s.peer.next('open-lesson')).slug, 'sockets');

    // The class chat: a terminal and a lab client.
    const chat = server.classroom!.hub.info.chat!;
    const nc = net.connect(chat.port, chat.address);
    let ncText = '';
    nc.on('data', (d) => (ncText += d));
    await waitUntil(() => ncText.includes('* welcome'), 5000, 'chat welcome');
    const { sock: cs } = await ok(bLab.client.call('socket', { type: 'tcp' }));
    await ok(bLab.client.call('connect', { sock: cs, address: chat.address, port: chat.port }));
    await ok(bLab.client.call('send', { sock: cs, data: 'hello class\n' }));
    await waitUntil(() => /<guest\d+> hello class/.test(ncText), 5000, 'the terminal sees the browser\'s line');
    nc.destroy();

    // The summary needs the key.
    const denied = await fetch(`${server.url}/class/summary.csv`);
    assert.equal(denied.status, 403);
    const csv = await (await fetch(`${server.url}/class/summary.csv`, { headers: { authorization: `Bearer ${keyOf(server)}` } })).text();
    assert.match(csv, /^nickname,joined,last seen/);
    assert.match(csv, /\nAna,.*,yes,1,1,/);

    // The end: students are told, their lab sessions close, joining stops.
    teacher.send({ type: 'end-class' });
    await ana.peer.next('class-ended');
    await aLab.waitEvent((e) => e.event === 'bye');
    const late = new ClassPeer(server.port);
    await late.opened;
    late.send({ type: 'join', code, nickname: 'Late' });
    assert.equal((await late.next('error')).code, 'E_ENDED');
    // Coming back after the end is refused with a stable code, and the student is told so.
    const back = new ClassPeer(server.port);
    await back.opened;
    back.send({ type: 'resume', token: ben.token });
    assert.equal((await back.next('error')).code, 'E_ENDED', 'resume after the end');
    await teacher.waitDashboard((d) => d.class.endedAt !== null);

    // What students received, frame by frame: never the dashboard or anyone else's row, never the
    // code (they typed it; the server has no reason to send it back), never another's payloads.
    for (const s of [ana, ben, cleo]) {
      const types = new Set(s.peer.frames.map((f) => JSON.parse(f).type));
      assert.ok(!types.has('dashboard') && !types.has('dashboard-delta'), `${[...types]}`);
      const others = ['Ana', 'Ben', 'Cléo'].filter((n) => n !== (s === ana ? 'Ana' : s === ben ? 'Ben' : 'Cléo'));
      for (const f of s.peer.frames) {
        for (const n of others) assert.ok(!f.includes(`"${n}"`), `a student got a frame naming ${n}: ${f.slice(0, 120)}`);
        assert.ok(!f.includes(code), `a student got the join code: ${f.slice(0, 120)}`);
      }
    }
    for (const p of [teacher, dup, late, back, ana.peer, ben.peer, cleo.peer]) p.close();
    for (const c of [...labs, stage, follower]) c.client.close();
    spy.close();
  });
});

describe('a kill -9 mid-class', { timeout: 60_000 }, () => {
  let dir: string;
  const running = new Set<ClassProcess>();
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-kill-'));
  });
  after(() => {
    for (const r of running) r.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function boot(file: string, chatPort: number): Promise<ClassProcess> {
    const r = await bootClassServer(path.join(dir, file), chatPort);
    running.add(r);
    void r.exited.then(() => running.delete(r));
    return r;
  }

  async function kill9(r: ClassProcess): Promise<void> {
    r.proc.kill('SIGKILL');
    await r.exited;
  }

  it('keeps the roster and progress, and students resume with their tokens', { timeout: 60_000 }, async () => {
    const one = await boot('c.sqlite', 41960);
    const tokens: string[] = [];
    for (const nickname of ['Dana', 'Eli', 'Fay']) {
      const p = await openPeer(one.port);
      p.send({ type: 'join', code: one.code, nickname });
      const j = await p.next('joined');
      tokens.push(j.token);
      p.send({ type: 'progress', lessons: { sockets: { read: true, quiz: { score: 5, total: 5, passed: true } } }, seq: 1 });
      await p.next('progress-saved', (m) => m.seq === 1);
    }
    // Every report was acknowledged: pull the plug.
    await kill9(one);

    const two = await boot('c.sqlite', 41960);
    assert.equal(two.code, one.code, 'the same class resumes');
    assert.equal(two.key, one.key);
    const again = await openPeer(two.port);
    again.send({ type: 'resume', token: tokens[1] });
    const j = await again.next('joined');
    assert.equal(j.student.nickname, 'Eli');
    assert.equal(j.resumed, true);
    const teacher = await openPeer(two.port);
    teacher.send({ type: 'instructor', key: two.key });
    const d = await teacher.next('dashboard');
    assert.deepEqual(d.students.map((s) => [s.nickname, s.lessons.sockets?.quiz?.score]), [['Dana', 5], ['Eli', 5], ['Fay', 5]]);
    assert.deepEqual(d.students.map((s) => s.online), [false, true, false]);
    again.close();
    teacher.close();
    two.proc.kill('SIGTERM');
    await two.exited;
  });

  it('loses no acknowledged progress report, even mid-flood', { timeout: 60_000 }, async () => {
    const one = await boot('acks.sqlite', 41965);
    const p = await openPeer(one.port);
    p.send({ type: 'join', code: one.code, nickname: 'Gil' });
    const { token } = await p.next('joined');
    // Reports as a browser would send them, each the whole state: report n has every lesson at score n.
    const report = (n: number) => Object.fromEntries(LESSON_SLUGS.map((slug) => [slug, { read: true, quiz: { score: n, total: 100, passed: n >= 50 } }]));
    let acked = 0;
    p.ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'progress-saved') acked = Math.max(acked, m.seq);
    });
    for (let n = 1; n <= 15; n++) p.send({ type: 'progress', lessons: report(n), seq: n });
    // The moment the first acknowledgement arrives, the server dies: later reports may be lost,
    // acknowledged ones may not.
    await waitUntil(() => acked > 0, 5000, 'an acknowledgement');
    await kill9(one);
    assert.ok(acked >= 1);

    const two = await boot('acks.sqlite', 41965);
    const teacher = await openPeer(two.port);
    teacher.send({ type: 'instructor', key: two.key });
    const d = await teacher.next('dashboard');
    const gil = d.students.find((s) => s.nickname === 'Gil')!;
    for (const slug of LESSON_SLUGS) {
      const score = gil.lessons[slug]?.quiz?.score ?? 0;
      assert.ok(score >= acked, `${slug}: stored report ${score}, but report ${acked} was acknowledged`);
    }
    const again = await openPeer(two.port);
    again.send({ type: 'resume', token });
    await again.next('joined');
    again.close();
    teacher.close();
    two.proc.kill('SIGTERM');
    await two.exited;
  });
});
