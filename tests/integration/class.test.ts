/**
 * Class hosting over real WebSockets: an instructor and students join, report progress, follow the
 * presenter, chat, try what they must not (other students' sockets, instructor messages, guessing
 * codes), and a `kill -9` of the server mid-class loses neither roster nor progress.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import type { ClassServerMessage } from '../../server/protocol/class.ts';
import { connect, errCode, ok, startLab, waitUntil } from '../helpers/lab.ts';

type Msg = ClassServerMessage;

class ClassPeer {
  readonly messages: Msg[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/class`);
    this.ws.on('message', (d) => this.messages.push(JSON.parse(String(d))));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }
  send(m: unknown) {
    this.ws.send(JSON.stringify(m));
  }
  async next<T extends Msg['type']>(type: T, match: (m: Extract<Msg, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<Msg, { type: T }>> {
    let found: Extract<Msg, { type: T }> | undefined;
    await waitUntil(() => {
      found = this.messages.find((m): m is Extract<Msg, { type: T }> => m.type === type && match(m as Extract<Msg, { type: T }>));
      return !!found;
    }, timeoutMs, `a ${type} message`);
    this.messages.splice(this.messages.indexOf(found!), 1);
    return found!;
  }
  close() {
    this.ws.close();
  }
}

function keyOf(server: RunningServer): string {
  return new URL(server.classroom!.instructorUrl).hash.replace('#key=', '');
}

describe('class hosting', () => {
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
    assert.equal(first.class.code, code);
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
    const dash = await teacher.next('dashboard', (d) => d.students.find((s) => s.nickname === 'Ana')?.lessons.networks?.quiz?.passed === true);
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
    const withTally = await teacher.next('dashboard', (d) => d.errors.some((e) => e.code === 'EADDRINUSE' && e.students === 2));
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
    for (const p of [teacher, dup, late, ana.peer, ben.peer, cleo.peer]) p.close();
    for (const c of [...labs, stage, follower]) c.client.close();
    spy.close();
  });

  it('refuses code guessing after 20 wrong tries from one address', async () => {
    const p = new ClassPeer(server.port);
    await p.opened;
    const codes: string[] = [];
    for (let i = 0; i < 22; i++) {
      p.send({ type: 'join', code: 'YYYYY' + '23456789ABCDEFGHJKMNPQRSTUVWXYZ'[i], nickname: `guess${i}` });
      codes.push((await p.next('error')).code);
    }
    // The earlier test's wrong code counts too: one address gets 20 wrong tries per 10 minutes in all.
    const firstLimit = codes.indexOf('E_LIMIT');
    assert.ok(firstLimit >= 15 && firstLimit <= 20, `refused after ${firstLimit} tries`);
    assert.ok(codes.slice(0, firstLimit).every((c) => c === 'E_BAD_CODE'));
    assert.ok(codes.slice(firstLimit).every((c) => c === 'E_LIMIT'));
    p.send({ type: 'join', code, nickname: 'Honest' });
    assert.equal((await p.next('error')).code, 'E_LIMIT', 'even the right code waits out the penalty');
    p.close();
  });
});

describe('a kill -9 mid-class', () => {
  let dir: string;
  let child: ChildProcess | null = null;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-kill-'));
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  function boot(): Promise<{ proc: ChildProcess; port: number; key: string; code: string }> {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', '--class', '--lab-only', '--port', '0', '--class-data', path.join(dir, 'c.sqlite'), '--class-chat-port', '41960'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    let out = '';
    return new Promise((resolve, reject) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        const port = /running at http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
        const key = /#key=([A-Za-z0-9_-]+)/.exec(out)?.[1];
        const code = /code=([2-9A-Z]{6})/.exec(out)?.[1];
        if (port && key && code) resolve({ proc, port: Number(port), key, code });
      });
      proc.once('exit', (c) => reject(new Error(`server exited (${c}): ${out}`)));
    });
  }

  it('keeps the roster and progress, and students resume with their tokens', { timeout: 60_000 }, async () => {
    const one = await boot();
    const tokens: string[] = [];
    for (const nickname of ['Dana', 'Eli', 'Fay']) {
      const p = new ClassPeer(one.port);
      await p.opened;
      p.send({ type: 'join', code: one.code, nickname });
      const j = await p.next('joined');
      tokens.push(j.token);
      p.send({ type: 'progress', lessons: { sockets: { read: true, quiz: { score: 5, total: 5, passed: true } } } });
    }
    // Let the writes land, then pull the plug.
    const t = new ClassPeer(one.port);
    await t.opened;
    t.send({ type: 'instructor', key: one.key });
    await t.next('dashboard', (d) => d.students.filter((s) => s.lessons.sockets?.quiz?.passed).length === 3);
    one.proc.kill('SIGKILL');
    await new Promise((r) => one.proc.once('exit', r));

    const two = await boot();
    assert.equal(two.code, one.code, 'the same class resumes');
    assert.equal(two.key, one.key);
    const again = new ClassPeer(two.port);
    await again.opened;
    again.send({ type: 'resume', token: tokens[1] });
    const j = await again.next('joined');
    assert.equal(j.student.nickname, 'Eli');
    assert.equal(j.resumed, true);
    const teacher = new ClassPeer(two.port);
    await teacher.opened;
    teacher.send({ type: 'instructor', key: two.key });
    const d = await teacher.next('dashboard');
    assert.deepEqual(d.students.map((s) => [s.nickname, s.lessons.sockets?.quiz?.score]), [['Dana', 5], ['Eli', 5], ['Fay', 5]]);
    assert.deepEqual(d.students.map((s) => s.online), [false, true, false]);
    again.close();
    teacher.close();
    two.proc.kill('SIGTERM');
    await new Promise((r) => two.proc.once('exit', r));
  });
});
