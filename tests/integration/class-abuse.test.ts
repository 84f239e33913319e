/**
 * The class under abuse, against a real server on loopback: floods of progress reports and of
 * connections, many students on one connection, code guessing from an address a whole classroom
 * shares, joins beyond the per-address cap, the dashboard's size and correctness under deltas, and
 * frames over the size cap (as a browser sees the close). Every attack comes from 127.0.0.1, as a
 * classroom behind one NAT would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { ANONYMOUS_PER_ADDRESS, PENALTY_PLACES, WRONG_CODES_BURST, WRONG_CODES_PER_CONNECTION } from '../../server/class/limits.ts';
import { describeInBrowser, launch } from '../helpers/browser.ts';
import { connect, startLab, waitUntil } from '../helpers/lab.ts';
import { ClassPeer, instructor, joinAs, keyOf, openPeer } from './class.shared.ts';

const dirs: string[] = [];
const servers: RunningServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A class server of its own, so one test's guessing or flooding does not slow another's joins. */
async function classServer(chatPort: number, overrides: Record<string, unknown> = {}): Promise<{ server: RunningServer; code: string; key: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-abuse-'));
  dirs.push(dir);
  const server = await startLab({ class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: chatPort, ...overrides });
  servers.push(server);
  return { server, code: server.classroom!.hub.info.code, key: keyOf(server) };
}

const fullReport = (score: number) => Object.fromEntries(LESSON_SLUGS.map((slug) => [slug, { read: true, quiz: { score, total: 100, passed: score >= 50 } }]));

describe('one student per connection', { timeout: 60_000 }, () => {
  it('refuses a second identity on a connection; when it closes, nobody it carried stays online', async () => {
    const { server, code, key } = await classServer(41900);
    const teacher = await instructor(server.port, key);
    const other = await joinAs(server.port, code, 'Other');
    other.peer.close();

    const p = await openPeer(server.port);
    p.send({ type: 'join', code, nickname: 'First' });
    await p.next('joined');
    const replies: string[] = [];
    for (const m of [
      { type: 'join', code, nickname: 'Second' },
      { type: 'resume', token: other.token },
      { type: 'instructor', key },
    ]) {
      p.send(m);
      const r = await Promise.race([p.reply(), p.next('dashboard')]);
      replies.push(r.type === 'error' ? r.code : r.type);
    }
    await teacher.waitDashboard((d) => d.students.some((s) => s.nickname === 'First' && s.online));
    p.close();
    await p.closed;
    await teacher.waitDashboard((x) => x.students.every((s) => !s.online)).catch(() => {}); // asserted below, by name
    const d = teacher.dashboard!;
    assert.deepEqual(
      d.students.filter((s) => s.online).map((s) => s.nickname),
      [],
      'every student the closed connection carried is offline',
    );
    assert.deepEqual(replies, ['E_ALREADY_JOINED', 'E_ALREADY_JOINED', 'E_ALREADY_JOINED']);
    assert.deepEqual(d.students.map((s) => s.nickname).sort(), ['First', 'Other'], 'no row for the refused join');
    teacher.close();
  });

  it('leave ends the membership on that connection', async () => {
    const { server, code, key } = await classServer(41905);
    const teacher = await instructor(server.port, key);
    const a = await joinAs(server.port, code, 'Leaver');
    await teacher.waitDashboard((d) => d.students.some((s) => s.online));
    a.peer.send({ type: 'leave' });
    assert.equal((await a.peer.closed).code, 1000);
    await teacher.waitDashboard((d) => d.students.every((s) => !s.online));
    teacher.close();
  });
});

describe('floods', { timeout: 60_000 }, () => {
  it('a flood of progress reports is dropped unparsed and the flooder closed; other students are answered', async () => {
    const { server, code, key } = await classServer(41910);
    const teacher = await instructor(server.port, key);
    const flooder = await joinAs(server.port, code, 'Flood');
    const calm = await joinAs(server.port, code, 'Calm');
    const acks: number[] = [];
    flooder.peer.ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'progress-saved') acks.push(m.seq);
    });
    const report = JSON.stringify({ type: 'progress', lessons: fullReport(1), seq: 0 });
    for (let i = 1; i <= 3000; i++) flooder.peer.ws.send(report.replace('"seq":0', `"seq":${i}`));

    calm.peer.send({ type: 'progress', lessons: { sockets: { read: true, quiz: null } }, seq: 7 });
    assert.equal((await calm.peer.next('progress-saved')).seq, 7, 'another student is answered during the flood');
    let closed: { code: number; reason: string } | undefined;
    void flooder.peer.closed.then((c) => (closed = c));
    await waitUntil(() => closed !== undefined, 10_000, 'the server to close the flooding connection');
    assert.deepEqual([closed!.code, closed!.reason], [1008, 'E_LIMIT']);
    const limit = flooder.peer.messages.find((m) => m.type === 'error' && m.code === 'E_LIMIT');
    assert.ok(limit, 'the flooder is told why');
    // The first few reports were taken (within the burst); the flooder was closed before their
    // commit, so it heard no acknowledgement, but they are saved all the same.
    assert.ok(acks.length < 100, `${acks.length} reports of 3000 were acknowledged`);
    // What was taken is saved and shown.
    const d = await teacher.waitDashboard((x) => x.students.find((s) => s.nickname === 'Flood')?.lessons.sockets?.quiz?.score === 1);
    assert.equal(d.students.find((s) => s.nickname === 'Calm')!.lessons.sockets?.read, true);
    calm.peer.close();
    teacher.close();
  });

  it('one address holds a bounded number of anonymous connections; joined ones do not count', async () => {
    const { server, code } = await classServer(41915);
    const member = await joinAs(server.port, code, 'Member');
    const peers: ClassPeer[] = [];
    for (let i = 0; i < ANONYMOUS_PER_ADDRESS + 3; i++) peers.push(new ClassPeer(server.port));
    await Promise.all(peers.map((p) => p.opened));
    await waitUntil(() => peers.every((p) => p.messages.length > 0), 5000, 'an answer on every connection');
    const greeted = peers.filter((p) => p.messages[0].type === 'hello');
    const refused = peers.filter((p) => p.messages[0].type === 'error');
    assert.equal(greeted.length, ANONYMOUS_PER_ADDRESS, 'the joined member does not take an anonymous place');
    assert.equal(refused.length, 3);
    for (const p of refused) assert.deepEqual(await p.closed, { code: 1008, reason: 'E_LIMIT' });
    // Once some anonymous ones go, a new connection is greeted again.
    for (const p of greeted) p.close();
    await Promise.all(greeted.map((p) => p.closed));
    const again = await openPeer(server.port);
    again.send({ type: 'resume', token: member.token });
    await again.next('joined');
    again.close();
    member.peer.close();
  });
});

describe('join codes', { timeout: 60_000 }, () => {
  it('the greeting before a join carries no code and no student address', async () => {
    const { server, code } = await classServer(41920);
    const p = new ClassPeer(server.port);
    await p.opened;
    const hello = await p.next('hello');
    assert.deepEqual(Object.keys(hello.class).sort(), ['endedAt', 'startedAt', 'title']);
    assert.ok(!p.frames[0].includes(code));
    p.close();
  });

  it('locks out the guesser, not the room: a right code from the same address gets in at once', { timeout: 60_000 }, async () => {
    const { server, code, key } = await classServer(41925);
    const wrong = (i: number) => `YY${'23456789ABCDEFGHJKMNPQRSTUVWXYZ'[i % 31]}${'23456789ABCDEFGHJKMNPQRSTUVWXYZ'[Math.floor(i / 31) % 31]}ZZ`;
    assert.ok(![...Array(100).keys()].some((i) => wrong(i) === code));
    let sent = 0;
    /** One guessing connection: its allowance of wrong codes, then the server closes it. */
    async function guesser() {
      const g = await openPeer(server.port);
      const answers: string[] = [];
      for (let i = 0; i < WRONG_CODES_PER_CONNECTION; i++) {
        g.send({ type: 'join', code: wrong(sent++), nickname: 'Guess' });
        answers.push((await g.next('error')).code);
      }
      assert.deepEqual(answers, Array(WRONG_CODES_PER_CONNECTION).fill('E_BAD_CODE'));
      assert.equal((await g.next('error')).code, 'E_LIMIT');
      assert.deepEqual(await g.closed, { code: 1008, reason: 'E_LIMIT' });
    }
    // A typo streak, or a guesser: the address's whole allowance of wrong codes.
    assert.equal(WRONG_CODES_BURST % WRONG_CODES_PER_CONNECTION, 0);
    while (sent < WRONG_CODES_BURST) await guesser();

    // A classmate behind the same address, with the right code, gets in at once.
    const teacher = await instructor(server.port, key);
    const honest = await openPeer(server.port);
    honest.send({ type: 'join', code, nickname: 'Honest' });
    const joined = await honest.next('joined');
    assert.equal(joined.student.nickname, 'Honest');
    await teacher.waitDashboard((d) => d.students.some((s) => s.nickname === 'Honest' && s.online));

    // A guesser who keeps going holds the address's penalty places (each for 2 s); while all are
    // held, no code from the address is checked, right or wrong.
    let held = false;
    for (let c = 0; c < 2 * PENALTY_PLACES && !held; c++) {
      const g = await openPeer(server.port);
      for (let i = 0; i < WRONG_CODES_PER_CONNECTION - 1 && !held; i++) {
        g.send({ type: 'join', code: wrong(sent++), nickname: 'Guess' });
        const e = await g.next('error');
        if (e.code === 'E_LIMIT') held = true;
        else assert.equal(e.code, 'E_BAD_CODE');
      }
      g.close();
    }
    assert.ok(held, 'the guesser was stopped');
    assert.ok(sent <= WRONG_CODES_BURST + PENALTY_PLACES + 2, `${sent - WRONG_CODES_BURST} codes were checked past the allowance`);
    const early = await openPeer(server.port);
    early.send({ type: 'join', code, nickname: 'Early' });
    const refused = await early.next('error');
    assert.equal(refused.code, 'E_LIMIT', 'not checked while the guesser holds every place');
    // Asking again a moment later (as a student would), the right code gets in.
    let answer = refused.code;
    const until = Date.now() + 10_000;
    while (answer !== 'joined' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      early.send({ type: 'join', code, nickname: 'Early' });
      const r = await early.reply();
      answer = r.type === 'joined' ? 'joined' : r.code;
    }
    assert.equal(answer, 'joined');
    // Students already in the class come back without any wait.
    const back = await openPeer(server.port);
    back.send({ type: 'resume', token: joined.token });
    await back.next('joined');
    for (const p of [honest, early, back, teacher]) p.close();
  });

  it('caps the students who join from one address (configurable); members still resume', async () => {
    const { server, code } = await classServer(41930, { classStudentsPerAddress: 3 });
    const members = [];
    for (const n of ['One', 'Two', 'Three']) members.push(await joinAs(server.port, code, n));
    const fourth = await openPeer(server.port);
    fourth.send({ type: 'join', code, nickname: 'Four' });
    const e = await fourth.next('error');
    assert.equal(e.code, 'E_LIMIT');
    assert.match(e.message, /--class-students-per-address/);
    const back = await openPeer(server.port);
    back.send({ type: 'resume', token: members[0].token });
    await back.next('joined');
    for (const p of [fourth, back, ...members.map((m) => m.peer)]) p.close();
  });
});

describe('the dashboard sends changes', { timeout: 60_000 }, () => {
  it('a change costs a small frame, and the dashboard after deltas equals a fresh snapshot', { timeout: 60_000 }, async () => {
    const { server, code, key } = await classServer(41935);
    const teacher = await instructor(server.port, key);
    const students = [];
    for (let i = 0; i < 40; i++) {
      const s = await joinAs(server.port, code, `Student ${i + 1}`);
      s.peer.send({ type: 'progress', lessons: fullReport(60), seq: 1 });
      await s.peer.next('progress-saved');
      students.push(s);
    }
    await teacher.waitDashboard((d) => d.students.length === 40 && d.students.every((s) => s.online && s.lessons.sockets?.quiz?.score === 60));
    const snapshotBytes = teacher.frames.find((f) => f.startsWith('{"type":"dashboard"'))!.length;

    // One student, one lesson: the next frame carries that and nothing else.
    const framesBefore = teacher.frames.length;
    students[7].peer.send({ type: 'progress', lessons: { ...fullReport(60), sockets: { read: true, quiz: { score: 99, total: 100, passed: true } } }, seq: 2 });
    await teacher.waitDashboard((d) => d.students[7].lessons.sockets?.quiz?.score === 99);
    const frame = teacher.frames.slice(framesBefore).find((f) => f.includes('"score":99'))!;
    const delta = JSON.parse(frame);
    assert.equal(delta.type, 'dashboard-delta');
    assert.deepEqual(delta.students, [{ id: students[7].id, lessons: { sockets: { read: true, quiz: { score: 99, total: 100, passed: true } } } }]);
    assert.ok(frame.length < 300, `a one-lesson change took ${frame.length} bytes`);
    assert.ok(teacher.frames.slice(framesBefore).every((f) => f.length < 300), 'no whole dashboard every second');

    // More kinds of change: students leave, one joins, the presenter changes, a lesson opens.
    students[0].peer.close();
    students[1].peer.close();
    const late = await joinAs(server.port, code, 'Late');
    const stage = await connect(server);
    teacher.send({ type: 'present', watchToken: stage.hello.watchToken });
    await teacher.waitDashboard((d) => d.students.length === 41 && !d.students[0].online && !d.students[1].online && d.presenting !== null);

    // A second instructor gets the whole dashboard; the first one's, built from deltas, is the same.
    const fresh = await instructor(server.port, key);
    const snapshot = fresh.dashboard!;
    assert.ok(JSON.stringify(snapshot).length > snapshotBytes, 'the snapshot is the whole dashboard');
    await waitUntil(() => isDeepStrictEqual(teacher.dashboard, snapshot), 5000, 'the next delta').catch(() => {}); // asserted below, field by field
    assert.deepEqual(teacher.dashboard, snapshot);
    for (const s of [...students, late]) s.peer.close();
    stage.client.close();
    teacher.close();
    fresh.close();
  });
});

describe('frames over the size cap', { timeout: 60_000 }, () => {
  it('close with 1009 (message too big) for a ws client', async () => {
    const { server } = await classServer(41940);
    const p = await openPeer(server.port);
    p.ws.send('x'.repeat(100 * 1024));
    assert.equal((await p.closed).code, 1009);
  });
});

describeInBrowser('frames over the size cap, in a browser', () => {
  let server: RunningServer;
  before(async () => {
    ({ server } = await classServer(41945));
  });

  it('a browser that sends 10 MB sees the close code 1009, not 1006', { timeout: 60_000 }, async () => {
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/`); // any page of the site's origin (lab-only: a 404 page)
      const result = await page.evaluate(
        (url) =>
          new Promise<{ code: number; wasClean: boolean }>((resolve) => {
            const ws = new WebSocket(url);
            ws.onmessage = () => {
              ws.onmessage = null;
              ws.send('x'.repeat(10 * 1024 * 1024));
            };
            ws.onclose = (e) => resolve({ code: e.code, wasClean: e.wasClean });
          }),
        `ws://127.0.0.1:${server.port}/class`,
      );
      // 1006 is what a browser reports when the server resets the connection instead of closing it.
      // (wasClean is usually true, but the browser may still be uploading the frame when the server's
      // close arrives, so it is not asserted.)
      assert.equal(result.code, 1009, JSON.stringify(result));
    } finally {
      await browser.close();
    }
  });
});
