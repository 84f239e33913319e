/**
 * The instructor dashboard's connection (app/_lib/class/instructor-connection.ts), driven over real
 * WebSockets on loopback against a small scripted /class server (tests/helpers/class-server.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClassServerMessage } from '../../server/protocol/class.ts';
import { InstructorConnection, type InstructorState } from '../../app/_lib/class/instructor-connection.ts';
import { createSocket, fakeServer, info, KEY, sleep, until } from '../helpers/class-server.ts';

describe('InstructorConnection', { timeout: 20_000 }, () => {
  const dashboard = (over: Record<string, unknown> = {}): ClassServerMessage =>
    ({
      type: 'dashboard',
      class: info(),
      students: [{ id: 1, nickname: '<b>Ada</b>', online: true, joinedAt: 1, lastSeen: 2, lessons: {}, labCalls: 3, labErrors: 1, sharedLab: null }],
      feed: [{ seq: 0, at: 5, student: '<b>Ada</b>', call: 'bind(s1, 127.0.0.1:41000)', outcome: 'EADDRINUSE' }],
      errors: [{ code: 'EADDRINUSE', students: 1, calls: 1 }],
      qrSvg: '<svg/>',
      presenting: null,
      ...over,
    }) as ClassServerMessage;

  test('authenticates with its key, takes dashboards, sends the controls', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      assert.equal(conn.present('x'), false, 'nothing is sent before the key is accepted');
      conn.start();
      const peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'instructor', key: KEY });
      peer.send(dashboard());
      const s = await until(conn, (st: InstructorState) => st.status === 'open');
      assert.equal(s.dashboard!.students[0].nickname, '<b>Ada</b>');
      assert.ok(conn.openLesson('sockets'));
      assert.deepEqual(await peer.next(), { type: 'open-lesson', slug: 'sockets' });
      assert.ok(conn.present('watch_abcdef123456'));
      assert.deepEqual(await peer.next(), { type: 'present', watchToken: 'watch_abcdef123456' });
      assert.ok(conn.present(null));
      assert.deepEqual(await peer.next(), { type: 'present', watchToken: null });
      assert.ok(conn.endClass());
      assert.deepEqual(await peer.next(), { type: 'end-class' });
      peer.send({ type: 'dashboard-delta', class: info({ endedAt: 10 }) });
      await until(conn, (st: InstructorState) => st.status === 'ended');
    } finally {
      conn.stop();
      await srv.close();
    }
  });

  test('changes arrive as deltas: rows patched, new students added whole, feed appended once', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'dashboard-delta', students: [{ id: 9, online: false }] }); // before the whole dashboard: ignored
      peer.send(dashboard());
      await until(conn, (st: InstructorState) => st.status === 'open');
      const quiz = { read: true, quiz: { score: 4, total: 5, passed: true } };
      const delta = {
        type: 'dashboard-delta',
        students: [
          { id: 1, online: false, lessons: { sockets: quiz } },
          { id: 2, nickname: 'Ben', online: true, joinedAt: 3, lastSeen: 3, lessons: {}, labCalls: 0, labErrors: 0, sharedLab: null },
          { id: 3, online: true }, // unknown and partial: not a row
        ],
        feed: [{ seq: 1, at: 6, student: 'Ben', call: 'socket()', outcome: 'ok' }],
        presenting: 'watch_abcdef123456',
      };
      peer.send(delta);
      peer.send(delta); // twice: the same dashboard
      peer.send({ type: 'dashboard-delta', errors: [] });
      const s = await until(conn, (st: InstructorState) => st.dashboard!.errors.length === 0);
      assert.deepEqual(
        s.dashboard!.students.map((r) => [r.id, r.nickname, r.online, r.lessons]),
        [
          [1, '<b>Ada</b>', false, { sockets: quiz }],
          [2, 'Ben', true, {}],
        ],
      );
      assert.deepEqual(s.dashboard!.feed.map((f) => f.seq), [0, 1]);
      assert.equal(s.dashboard!.presenting, 'watch_abcdef123456');
      assert.equal(s.dashboard!.qrSvg, '<svg/>');
    } finally {
      conn.stop();
      await srv.close();
    }
  });

  test('reconnects after a drop and authenticates again', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      conn.start();
      const first = await srv.nextPeer();
      await first.next();
      first.send(dashboard());
      await until(conn, (st: InstructorState) => st.status === 'open');
      first.ws.terminate();
      await until(conn, (st: InstructorState) => st.status === 'reconnecting');
      const second = await srv.nextPeer();
      assert.deepEqual(await second.next(), { type: 'instructor', key: KEY });
      second.send(dashboard());
      await until(conn, (st: InstructorState) => st.status === 'open');
    } finally {
      conn.stop();
      await srv.close();
    }
  });

  test('a refused key stops it for good', async () => {
    const srv = await fakeServer();
    const conn = new InstructorConnection(KEY, { url: () => srv.url, createSocket, backoff: { baseMs: 40, maxMs: 200 } });
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'error', code: 'E_FORBIDDEN', message: 'wrong key' });
      peer.ws.close();
      const s = await until(conn, (st: InstructorState) => st.status === 'forbidden');
      assert.equal(s.error?.code, 'E_FORBIDDEN');
      await sleep(200);
      assert.equal(srv.peers.length, 1, 'no second try with a refused key');
    } finally {
      conn.stop();
      await srv.close();
    }
  });
});
