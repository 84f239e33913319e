/**
 * Challenges on the instructor's dashboard (issue 18): a student's progress report carries the
 * challenges passed per lesson, the dashboard shows them, the class file keeps them across a
 * restart, a report naming an unknown challenge is refused as a whole, and a check from the
 * student's lab session shows in the instructor's feed with the challenge it tried.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { connect, ok, startLab } from '../helpers/lab.ts';
import { keyOf, openPeer } from './class.shared.ts';

describe('challenges in class progress', { timeout: 60_000 }, () => {
  let dir: string;
  let server: RunningServer;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-challenges-'));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const boot = () => startLab({ class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41970 });

  it('reports, shows and keeps the challenges a student passed', async () => {
    server = await boot();
    const hub = server.classroom!.hub;
    const student = await openPeer(server.port);
    student.send({ type: 'join', code: hub.info.code, nickname: 'Gus' });
    const { token } = await student.next('joined');
    student.send({
      type: 'progress',
      lessons: { firewalls: { read: true, quiz: null, challenges: ['block-phone'] }, 'server-side': { read: false, quiz: null } },
      seq: 1,
    });
    await student.next('progress-saved', (m) => m.seq === 1);

    // An unknown challenge id makes the whole report invalid: nothing of it is saved.
    student.send({ type: 'progress', lessons: { 'server-side': { read: true, quiz: null, challenges: ['made-up'] } }, seq: 2 });
    assert.equal((await student.next('error')).code, 'E_BAD_REQUEST');

    const teacher = await openPeer(server.port);
    teacher.send({ type: 'instructor', key: keyOf(server) });
    const d = await teacher.next('dashboard');
    const gus = d.students.find((s) => s.nickname === 'Gus')!;
    assert.deepEqual(gus.lessons.firewalls, { read: true, quiz: null, challenges: ['block-phone'] });
    assert.equal(gus.lessons['server-side']?.read, false);

    // A check from the student's own lab session shows in the feed, naming the challenge.
    const lab = await connect(server, { student: token });
    const result = await ok(lab.client.call('check', { challenge: 'echo-41234' }));
    assert.equal(result.passed, false, 'nothing listens on 41234 here');
    const delta = await teacher.next('dashboard-delta', (m) => (m.feed ?? []).some((f) => f.call.startsWith('check')));
    assert.deepEqual(delta.feed?.filter((f) => f.call.startsWith('check')).map((f) => [f.student, f.call, f.outcome]), [['Gus', 'check(echo-41234)', 'ok']]);
    lab.client.close();
    student.close();
    teacher.close();
    await server.close();

    server = await boot();
    const again = await openPeer(server.port);
    again.send({ type: 'instructor', key: keyOf(server) });
    const after = await again.next('dashboard');
    assert.deepEqual(after.students.find((s) => s.nickname === 'Gus')?.lessons.firewalls?.challenges, ['block-phone']);
    again.close();
  });
});
