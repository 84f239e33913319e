/**
 * A student shares their live lab with the instructor (issue 20): over real WebSockets against a
 * real class server, the dashboard shows the shared session only while it is the student's own and
 * live, the instructor can watch it read-only, and nobody can put someone else's session (another
 * student's, the presenter's) under their own name.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { connect, errCode, ok, startLab } from '../helpers/lab.ts';
import { instructor, joinAs, keyOf } from './class.shared.ts';

describe('a student shares their lab with the instructor', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let dir: string;
  let code: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-share-'));
    server = await startLab({ class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41951 });
    code = server.classroom!.hub.info.code;
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows only the student’s own live session, watchable read-only, until it is unshared or ends', async () => {
    const teacher = await instructor(server.port, keyOf(server));
    const ana = await joinAs(server.port, code, 'Ana');
    const ben = await joinAs(server.port, code, 'Ben');
    const anaRow = () => teacher.dashboard!.students.find((s) => s.id === ana.id)!;
    await teacher.waitDashboard((d) => d.students.some((s) => s.id === ana.id) && d.students.some((s) => s.id === ben.id));
    assert.equal(anaRow().sharedLab, null, 'nothing is shared at first');

    const anaLab = await connect(server, { student: ana.token });
    const benLab = await connect(server, { student: ben.token });
    const anaWatch = anaLab.hello.watchToken!;
    assert.ok(anaWatch);

    // Ben cannot share Ana's session as his, nor the instructor's presented session.
    ben.peer.send({ type: 'share-lab', watchToken: anaWatch });
    assert.equal((await ben.peer.next('error')).code, 'E_BAD_REQUEST');
    const stage = await connect(server);
    ben.peer.send({ type: 'share-lab', watchToken: stage.hello.watchToken });
    assert.equal((await ben.peer.next('error')).code, 'E_BAD_REQUEST');
    // The instructor is not a student.
    teacher.send({ type: 'share-lab', watchToken: stage.hello.watchToken });
    assert.equal((await teacher.next('error')).code, 'E_FORBIDDEN');

    // Ana shares her own: she is told, and the dashboard shows it on her row only.
    ana.peer.send({ type: 'share-lab', watchToken: anaWatch });
    assert.equal((await ana.peer.next('sharing')).watchToken, anaWatch);
    await teacher.waitDashboard((d) => d.students.find((s) => s.id === ana.id)!.sharedLab === anaWatch);
    assert.equal(teacher.dashboard!.students.find((s) => s.id === ben.id)!.sharedLab, null);

    // The instructor watches it: Ana's calls arrive, and the viewer cannot make calls.
    const viewer = await connect(server, { watch: anaWatch });
    assert.equal(viewer.hello.role, 'viewer');
    await ok(anaLab.client.call('socket', { type: 'tcp', actor: 'ana' }));
    await viewer.waitEvent((e) => e.event === 'step' && e.actor === 'ana');
    assert.equal(await errCode(viewer.client.call('socket', { type: 'tcp' })), 'E_POLICY');

    // Unsharing clears the row.
    ana.peer.send({ type: 'share-lab', watchToken: null });
    assert.equal((await ana.peer.next('sharing')).watchToken, null);
    await teacher.waitDashboard(() => anaRow().sharedLab === null);

    // Shared again, then the session ends (the tab closed): the row clears by itself.
    ana.peer.send({ type: 'share-lab', watchToken: anaWatch });
    await ana.peer.next('sharing');
    await teacher.waitDashboard(() => anaRow().sharedLab === anaWatch);
    anaLab.client.close();
    await teacher.waitDashboard(() => anaRow().sharedLab === null, 10_000);

    // A session that has ended cannot be shared.
    ana.peer.send({ type: 'share-lab', watchToken: anaWatch });
    assert.equal((await ana.peer.next('error')).code, 'E_BAD_REQUEST');

    // Malformed: not a string, too long, extra keys.
    for (const bad of [{ type: 'share-lab', watchToken: 42 }, { type: 'share-lab', watchToken: 'x'.repeat(65) }, { type: 'share-lab', watchToken: null, extra: 1 }]) {
      ben.peer.send(bad);
      assert.equal((await ben.peer.next('error')).code, 'E_BAD_REQUEST', JSON.stringify(bad));
    }

    for (const c of [benLab, stage, viewer]) c.client.close();
    for (const p of [teacher, ana.peer, ben.peer]) p.close();
  });
});
