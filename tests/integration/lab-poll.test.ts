/**
 * The `poll` op (issue 19) over the real WebSocket, on real loopback sockets: poll(2)'s answer for
 * several sockets at once, a poll that blocks (a blocked step, no reply) until the kernel makes a
 * socket ready, timeouts 0 and N, cancellation by close, the peer's close, and a blocked poll that
 * costs no CPU. Peers outside the session are plain Node sockets of this process, so what the lab
 * reports is checked against connections it did not make itself.
 *
 * The fallback engine cannot make a real poll(2) and must say so (E_UNSUPPORTED). A sandbox-host
 * socket is polled through the same native path (it is a native socket adopted by the addon).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { ArgsOf, Step } from '../../server/protocol/index.ts';
import { connect, errCode, ok, startLab, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const nativeSkip = loadNativeAddon() ? false : 'the native addon is not built (node scripts/build-addon.mjs)';

/** A blocked poll is measured for this long; a busy loop would use about all of it as CPU time. */
const WAIT_MS = 1000;
const CPU_BOUND_MS = 100;

type PollArgs = ArgsOf<'poll'>;

describe('poll (engine: native)', { skip: nativeSkip }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ engine: 'native' });
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  async function listener() {
    const { sock } = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
    const { port } = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    await ok(c.client.call('listen', { sock }));
    return { sock, port };
  }

  /** A listener and one connection accepted on it; `peer` is the outside end (a Node socket). */
  async function listenerWithConnection() {
    const srv = await listener();
    const peer = net.connect({ host: '127.0.0.1', port: srv.port });
    await once(peer, 'connect');
    const { sock: conn } = await ok(c.client.call('accept', { sock: srv.sock }));
    return { srv, conn, peer };
  }

  async function closeAll(...socks: string[]) {
    for (const sock of socks) await ok(c.client.call('close', { sock }));
  }

  /** Each polled socket's revents, by handle. */
  function revents(result: { socks: { sock: string; revents: string[] }[] }): Record<string, string[]> {
    return Object.fromEntries(result.socks.map((s) => [s.sock, s.revents]));
  }

  function pollStep(id: string | number | null, status: Step['status']) {
    return c.waitEvent((e): e is Step => e.event === 'step' && e.op === 'poll' && e.id === id && e.status === status, 3000);
  }

  /** Starts a poll and returns its reply promise and command id (the id its steps carry). */
  function startPoll(args: PollArgs) {
    const before = c.events.length;
    const reply = c.client.call('poll', args);
    return { reply, id: () => newPollId(before) };
  }

  /** The id of the first poll step seen after event index `from` (the client numbers its commands). */
  async function newPollId(from: number): Promise<string | number | null> {
    const step = await c.waitEvent((e): e is Step => e.event === 'step' && e.op === 'poll' && c.events.indexOf(e) >= from, 3000);
    return step.id;
  }

  it('reports in on exactly the socket that is ready: a waiting connection, then waiting data', async () => {
    const { srv, conn, peer } = await listenerWithConnection();
    try {
      const socks = [
        { sock: srv.sock, events: ['in' as const] },
        { sock: conn, events: ['in' as const] },
      ];
      const idle = await ok(c.client.call('poll', { socks, timeout: 0 }));
      assert.deepEqual(idle, { ready: 0, socks: [{ sock: srv.sock, revents: [] }, { sock: conn, revents: [] }] });

      const second = net.connect({ host: '127.0.0.1', port: srv.port });
      await once(second, 'connect');
      const one = await ok(c.client.call('poll', { socks, timeout: 5000 }));
      assert.equal(one.ready, 1);
      assert.deepEqual(revents(one), { [srv.sock]: ['in'], [conn]: [] });

      const { sock: conn2 } = await ok(c.client.call('accept', { sock: srv.sock }));
      peer.write('hello');
      const data = await ok(c.client.call('poll', { socks: [...socks, { sock: conn2, events: ['in'] }], timeout: 5000 }));
      assert.equal(data.ready, 1);
      assert.deepEqual(revents(data), { [srv.sock]: [], [conn]: ['in'], [conn2]: [] });
      // poll only looked: the bytes are still there for recv.
      const got = await ok(c.client.call('recv', { sock: conn }));
      assert.equal('data' in got && got.data, 'hello');
      second.destroy();
      await closeAll(conn2);
    } finally {
      peer.destroy();
      await closeAll(conn, srv.sock);
    }
  });

  it('reports out on a connected socket with room to send, and never on a listener', async () => {
    const { srv, conn, peer } = await listenerWithConnection();
    try {
      const r = await ok(c.client.call('poll', { socks: [{ sock: srv.sock, events: ['in', 'out'] }, { sock: conn, events: ['out'] }], timeout: 0 }));
      assert.deepEqual(revents(r), { [srv.sock]: [], [conn]: ['out'] });
      assert.equal(r.ready, 1);
    } finally {
      peer.destroy();
      await closeAll(conn, srv.sock);
    }
  });

  it('blocks (a blocked step, no reply) until a client connects, then answers', async () => {
    const srv = await listener();
    try {
      const { reply, id } = startPoll({ socks: [{ sock: srv.sock, events: ['in'] }], timeout: -1 });
      let replied = false;
      void reply.then(() => (replied = true));
      const pollId = await id();
      const blocked = await pollStep(pollId, 'blocked');
      assert.equal(blocked.actor, 'server', "the poll's step is shown under its first socket's actor");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(replied, false, 'a blocked poll has no reply yet');

      const client = net.connect({ host: '127.0.0.1', port: srv.port });
      await once(client, 'connect');
      const result = await ok(reply);
      assert.deepEqual(result, { ready: 1, socks: [{ sock: srv.sock, revents: ['in'] }] });
      const done = await pollStep(pollId, 'ok');
      assert.equal(done.seq, blocked.seq, 'the blocked step and its completion share a seq');
      client.destroy();
    } finally {
      await closeAll(srv.sock);
    }
  });

  it('a waiting poll answers before a later call can take the data that woke it (send and recv sent back to back)', async () => {
    const srv = await listener();
    const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
    await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port: srv.port }));
    const { sock: conn } = await ok(c.client.call('accept', { sock: srv.sock }));
    try {
      const { reply, id } = startPoll({ socks: [{ sock: conn, events: ['in'] }], timeout: -1 });
      await pollStep(await id(), 'blocked');
      // Not awaited one by one: both frames reach the session's thread together, the recv before
      // the poll's watch has woken; the poll still sees the data first, as a blocked poll(2) would.
      const [sent, got] = await Promise.all([c.client.call('send', { sock: cli, data: 'wake' }), c.client.call('recv', { sock: conn })]);
      assert.ok(sent.ok && got.ok);
      const result = await Promise.race([reply.then((r) => (r.ok ? r.result : r.error.code)), new Promise<null>((r) => setTimeout(() => r(null), 2000))]);
      assert.deepEqual(result, { ready: 1, socks: [{ sock: conn, revents: ['in'] }] }, 'the poll woke for the data the recv then took');
    } finally {
      await closeAll(cli, conn, srv.sock);
    }
  });

  it('timeout 0 only looks: it returns at once with nothing ready and never blocks', async () => {
    const srv = await listener();
    try {
      const { reply, id } = startPoll({ socks: [{ sock: srv.sock, events: ['in'] }], timeout: 0 });
      assert.deepEqual(await ok(reply), { ready: 0, socks: [{ sock: srv.sock, revents: [] }] });
      const pollId = await id();
      const steps = c.steps().filter((s) => s.op === 'poll' && s.id === pollId);
      assert.deepEqual(
        steps.map((s) => s.status),
        ['ok'],
        'one finished step, no blocked one',
      );
    } finally {
      await closeAll(srv.sock);
    }
  });

  it('timeout N: blocks, then returns ready 0 once the timeout has passed', async () => {
    const srv = await listener();
    try {
      const timeout = 300;
      const { reply, id } = startPoll({ socks: [{ sock: srv.sock, events: ['in'] }], timeout });
      const pollId = await id();
      await pollStep(pollId, 'blocked');
      assert.deepEqual(await ok(reply), { ready: 0, socks: [{ sock: srv.sock, revents: [] }] });
      const done = await pollStep(pollId, 'ok');
      // Correctness, not speed: poll(2) never returns 0 before its timeout.
      assert.ok(done.end! - done.start >= timeout - 5, `returned after ${done.end! - done.start} ms`);
    } finally {
      await closeAll(srv.sock);
    }
  });

  it('closing a polled socket cancels the poll (E_CANCELLED); the other sockets poll again at once', async () => {
    const { srv, conn, peer } = await listenerWithConnection();
    try {
      const { reply, id } = startPoll({
        socks: [
          { sock: srv.sock, events: ['in'] },
          { sock: conn, events: ['in'] },
        ],
        timeout: -1,
      });
      await pollStep(await id(), 'blocked');
      // One poll at a time on a socket: a second one is refused while the first waits.
      assert.equal(await errCode(c.client.call('poll', { socks: [{ sock: srv.sock, events: ['in'] }], timeout: 0 })), 'E_BUSY');
      await ok(c.client.call('close', { sock: conn }));
      assert.equal(await errCode(reply), 'E_CANCELLED');
      // Nothing is left waiting on the listener: it polls again, and its readiness still wakes a poll.
      const again = startPoll({ socks: [{ sock: srv.sock, events: ['in'] }], timeout: -1 });
      await pollStep(await again.id(), 'blocked');
      const client = net.connect({ host: '127.0.0.1', port: srv.port });
      await once(client, 'connect');
      assert.deepEqual(revents(await ok(again.reply)), { [srv.sock]: ['in'] });
      client.destroy();
    } finally {
      peer.destroy();
      await closeAll(srv.sock);
    }
  });

  it("the peer's close: in (end of stream is readable); after our own shutdown(write), hup too", async () => {
    const { srv, conn, peer } = await listenerWithConnection();
    try {
      const { reply, id } = startPoll({ socks: [{ sock: conn, events: ['in'] }], timeout: -1 });
      await pollStep(await id(), 'blocked');
      peer.end();
      assert.deepEqual(await ok(reply), { ready: 1, socks: [{ sock: conn, revents: ['in'] }] });
      const eof = await ok(c.client.call('recv', { sock: conn }));
      assert.ok('eof' in eof, 'recv returns end of stream');
      // Both directions closed: poll(2) adds POLLHUP.
      await ok(c.client.call('shutdown', { sock: conn, how: 'write' }));
      const hup = await ok(c.client.call('poll', { socks: [{ sock: conn, events: ['in'] }], timeout: 0 }));
      assert.deepEqual(hup, { ready: 1, socks: [{ sock: conn, revents: ['in', 'hup'] }] });
    } finally {
      peer.destroy();
      await closeAll(conn, srv.sock);
    }
  });

  it('a peer that resets the connection: poll reports in, hup and err', async () => {
    const srv = await listener();
    const peer = net.connect({ host: '127.0.0.1', port: srv.port });
    await once(peer, 'connect');
    const { sock: conn } = await ok(c.client.call('accept', { sock: srv.sock }));
    try {
      const { reply, id } = startPoll({ socks: [{ sock: conn, events: ['in'] }], timeout: -1 });
      await pollStep(await id(), 'blocked');
      peer.resetAndDestroy();
      const result = await ok(reply);
      assert.deepEqual(result.socks[0]!.revents, ['in', 'hup', 'err']);
      assert.equal(await errCode(c.client.call('recv', { sock: conn })), 'ECONNRESET');
    } finally {
      await closeAll(conn, srv.sock);
    }
  });

  it('a fresh TCP socket: poll(2) says out and hup (the kernel\'s answer for a closed state)', async () => {
    const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
    try {
      assert.deepEqual(await ok(c.client.call('poll', { socks: [{ sock, events: ['in', 'out'] }], timeout: 0 })), {
        ready: 1,
        socks: [{ sock, revents: ['out', 'hup'] }],
      });
    } finally {
      await closeAll(sock);
    }
  });

  it('an unknown socket is E_NO_SOCKET, and nothing waits', async () => {
    const srv = await listener();
    try {
      const reply = await c.client.call('poll', { socks: [{ sock: srv.sock, events: ['in'] }, { sock: 's999', events: ['in'] }], timeout: -1 });
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.error.code, 'E_NO_SOCKET');
      // The listener was not left marked as polled.
      assert.equal((await ok(c.client.call('poll', { socks: [{ sock: srv.sock, events: ['in'] }], timeout: 0 }))).ready, 0);
    } finally {
      await closeAll(srv.sock);
    }
  });

  it('blocks without busy-waiting: a 1 s blocked poll uses almost no CPU', async () => {
    const srv = await listener();
    const { conn, peer, srv: other } = await listenerWithConnection();
    try {
      const { reply, id } = startPoll({
        socks: [
          { sock: srv.sock, events: ['in'] },
          { sock: conn, events: ['in'] },
          { sock: other.sock, events: ['in'] },
        ],
        timeout: -1,
      });
      await pollStep(await id(), 'blocked');
      // The server runs in this process: its CPU time is this process's (CPU used, not wall time).
      const before = process.cpuUsage();
      await new Promise((r) => setTimeout(r, WAIT_MS));
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000;
      assert.ok(ms < CPU_BOUND_MS, `a blocked poll used ${ms.toFixed(1)} ms of CPU in ${WAIT_MS} ms`);
      peer.write('x');
      assert.deepEqual(revents(await ok(reply)), { [srv.sock]: [], [conn]: ['in'], [other.sock]: [] });
    } finally {
      peer.destroy();
      await closeAll(conn, other.sock, srv.sock);
    }
  });

  it("the session's end cancels a blocked poll and leaves no socket open", async () => {
    const own = await connect(server);
    const { sock } = await ok(own.client.call('socket', { type: 'tcp' }));
    await ok(own.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    await ok(own.client.call('listen', { sock }));
    // The session's sockets are its lab worker's (the addon's instance there): the workers count them.
    const fdsBefore = await server.pool.openFds();
    const reply = own.client.call('poll', { socks: [{ sock, events: ['in'] }], timeout: -1 });
    await own.waitEvent((e): e is Step => e.event === 'step' && e.op === 'poll' && e.status === 'blocked', 3000);
    own.client.close();
    assert.equal(await errCode(reply), 'E_CANCELLED');
    const deadline = Date.now() + 3000;
    while ((await server.pool.openFds()) >= fdsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await server.pool.openFds()) < fdsBefore, "the session's listener was closed");
  });
});

describe('poll on sandbox hosts (engine: native)', { skip: nativeSkip || needs('unshare', 'ip', 'nft') }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ engine: 'native' });
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('a listener on a sandbox host and one on loopback, in one poll: in on the host that got the connection', async () => {
    const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
    await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 }));
    await ok(c.client.call('listen', { sock: web.sock }));
    const local = await ok(c.client.call('socket', { type: 'tcp' }));
    await ok(c.client.call('bind', { sock: local.sock, address: '127.0.0.1', port: 0 }));
    await ok(c.client.call('listen', { sock: local.sock }));

    const socks = [
      { sock: web.sock, events: ['in' as const] },
      { sock: local.sock, events: ['in' as const] },
    ];
    const reply = c.client.call('poll', { socks, timeout: 10_000 });
    await c.waitEvent((e): e is Step => e.event === 'step' && e.op === 'poll' && e.status === 'blocked', 3000);
    const laptop = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop' }));
    await ok(c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }));
    assert.deepEqual(await ok(reply), {
      ready: 1,
      socks: [
        { sock: web.sock, revents: ['in'] },
        { sock: local.sock, revents: [] },
      ],
    });
  });
});

describe('poll (engine: node)', () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ engine: 'node' });
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('the fallback engine has no real poll(2): E_UNSUPPORTED, saying why, and the hello lists it', async () => {
    const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
    const reply = await c.client.call('poll', { socks: [{ sock, events: ['in'] }], timeout: 0 });
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.error.code, 'E_UNSUPPORTED');
    assert.match(c.hello.composite.poll ?? '', /poll/);
    await ok(c.client.call('close', { sock }));
  });
});
