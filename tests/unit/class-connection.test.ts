/**
 * A student's connection to the class (app/_lib/class/class-connection.ts), driven over real
 * WebSockets on loopback against a small scripted /class server (tests/helpers/class-server.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClassConnection, LAB_RESET_NOTICE, type ClassState } from '../../app/_lib/class/class-connection.ts';
import { toProgressReport } from '../../app/_lib/class/progress-report.ts';
import { createSocket, fakeServer, joined, sleep, TestStore, TOKEN, until } from '../helpers/class-server.ts';

function student(url: string, store: TestStore) {
  const conn = new ClassConnection({ url: () => url, createSocket, store, backoff: { baseMs: 40, maxMs: 200 }, progressDebounceMs: 80, answerTimeoutMs: 2000 });
  return conn;
}

describe('ClassConnection (student)', { timeout: 30_000 }, () => {
  test('join: normalised code, membership stored, progress at once, then debounced and only when changed', async () => {
    const srv = await fakeServer();
    const store = new TestStore();
    const conn = student(srv.url, store);
    try {
      const report1 = toProgressReport({ networks: { read: 1 } });
      conn.setProgress(report1); // before joining: kept, sent once joined
      const result = conn.join('abc-234', '  Ada ');
      const peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'join', code: 'ABC234', nickname: 'Ada' });
      peer.send(joined({ presenting: 'watch_1234567890', lesson: 'sockets' }));
      assert.deepEqual(await result, { ok: true });
      assert.deepEqual(store.value, { token: TOKEN, nickname: 'Ada', code: 'ABC234' });
      const s = conn.getState();
      assert.equal(s.status, 'connected');
      assert.equal(s.presenting, 'watch_1234567890');
      assert.equal(s.lesson, 'sockets');
      assert.equal(s.lessonPush, null, 'the lesson open at join time is not a push');
      const first = await peer.next();
      assert.deepEqual(first, { type: 'progress', lessons: report1, seq: (first as { seq: number }).seq });

      conn.setProgress(toProgressReport({ networks: { read: 1 }, protocols: { read: 2 } }));
      const report3 = toProgressReport({ networks: { read: 1 }, protocols: { read: 2 }, sockets: { read: 3 } });
      conn.setProgress(report3);
      assert.deepEqual(await peer.next(), { type: 'progress', lessons: report3, seq: (first as { seq: number }).seq + 1 }, 'two quick changes: one message, the latest');
      conn.setProgress(toProgressReport({ networks: { read: 1 }, protocols: { read: 2 }, sockets: { read: 3 } }));
      await peer.quiet(250);
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('join refused: the code and message come back, nothing is stored, the socket closes', async () => {
    const srv = await fakeServer();
    const store = new TestStore();
    const conn = student(srv.url, store);
    try {
      const result = conn.join('ABC234', 'Ada');
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'error', code: 'E_NICK_TAKEN', message: 'That nickname is taken.' });
      assert.deepEqual(await result, { ok: false, code: 'E_NICK_TAKEN', message: 'That nickname is taken.' });
      assert.equal(store.value, null);
      assert.equal(conn.getState().status, 'idle');
      await peer.closed;
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('join checks the code and nickname before connecting, and says when no class answers', async () => {
    const srv = await fakeServer();
    const port = srv.port;
    await srv.close();
    const conn = student(`ws://127.0.0.1:${port}/class`, new TestStore());
    try {
      assert.equal(((await conn.join('ABC12', 'Ada')) as { code: string }).code, 'E_BAD_CODE');
      assert.equal(((await conn.join('ABC234', '')) as { code: string }).code, 'E_BAD_NICKNAME');
      const r = await conn.join('ABC234', 'Ada');
      assert.equal(r.ok, false);
      assert.equal((r as { code: string }).code, 'E_UNREACHABLE');
      assert.equal(conn.active, false, 'no retry loop after a failed join');
    } finally {
      conn.dispose();
    }
  });

  test('resume; a server restart: reconnects by itself and says the lab was reset', async () => {
    let srv = await fakeServer();
    const port = srv.port;
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      let peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'resume', token: TOKEN });
      peer.send(joined({ resumed: true }));
      let s = await until(conn, (st) => st.status === 'connected');
      assert.equal(s.notice, null, 'a page load that resumes is not a drop: nothing to say');

      await srv.close(); // the server goes away mid-class
      s = await until(conn, (st) => st.status === 'reconnecting');
      await sleep(150); // a few failed attempts while it is down
      srv = await fakeServer(port);
      peer = await srv.nextPeer();
      assert.deepEqual(await peer.next(), { type: 'resume', token: TOKEN });
      peer.send(joined({ resumed: true }));
      s = await until(conn, (st) => st.status === 'connected');
      assert.equal(s.notice?.text, LAB_RESET_NOTICE);
      assert.equal(s.notice?.tone, 'warning');
      assert.deepEqual(store.value, { token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('pushes: presenting, open-lesson (taken once), bad messages ignored, class-ended forgets the class', async () => {
    const srv = await fakeServer();
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send(joined({ resumed: true }));
      await until(conn, (st) => st.status === 'connected');

      peer.send('not json');
      peer.send({ type: 'presenting', watchToken: 42 } as Record<string, unknown>); // deliberately malformed
      peer.send({ type: 'presenting', watchToken: 'watch_abcdef123456' });
      let s = await until(conn, (st) => st.presenting !== null);
      assert.equal(s.presenting, 'watch_abcdef123456');
      assert.match(s.notice!.text, /presenting/);

      peer.send({ type: 'open-lesson', slug: 'server-side' });
      s = await until(conn, (st) => st.lessonPush !== null);
      assert.equal(s.lessonPush!.slug, 'server-side');
      assert.equal(s.notice!.text, 'Your instructor opened lesson 9 (server side).');
      assert.equal(conn.takeLessonPush(s.lessonPush!.id), true);
      assert.equal(conn.takeLessonPush(s.lessonPush!.id), false, 'a remounted bar does not navigate again');

      peer.send({ type: 'error', code: 'E_LIMIT', message: 'slow down' });
      s = await until(conn, (st) => st.error !== null);
      assert.equal(s.status, 'connected', 'an error after joining does not end the membership');

      peer.send({ type: 'class-ended', message: 'Thanks, everyone!' });
      s = await until(conn, (st: ClassState) => st.status === 'ended');
      assert.equal(s.notice!.text, 'The class has ended. Thanks, everyone!');
      assert.equal(store.value, null);
      await peer.closed;
      await sleep(150);
      assert.equal(srv.peers.length, 1, 'no reconnect after the end');
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('a resume the server no longer knows: forget the token and stop', async () => {
    const srv = await fakeServer();
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send({ type: 'error', code: 'E_UNKNOWN_STUDENT', message: 'unknown' });
      const s = await until(conn, (st) => st.status === 'left');
      assert.equal(store.value, null);
      assert.match(s.notice!.text, /Join again/);
      await peer.closed;
      await sleep(150);
      assert.equal(srv.peers.length, 1);
    } finally {
      conn.dispose();
      await srv.close();
    }
  });

  test('leave tells the server and forgets the class', async () => {
    const srv = await fakeServer();
    const store = new TestStore({ token: TOKEN, nickname: 'Ada', code: 'ABC234' });
    const conn = student(srv.url, store);
    try {
      conn.start();
      const peer = await srv.nextPeer();
      await peer.next();
      peer.send(joined({ resumed: true }));
      await until(conn, (st) => st.status === 'connected');
      conn.leave();
      assert.deepEqual(await peer.next(), { type: 'leave' });
      await peer.closed;
      assert.equal(store.value, null);
      assert.equal(conn.getState().status, 'left');
    } finally {
      conn.dispose();
      await srv.close();
    }
  });
});
