/**
 * "Replay from here" and "Run it again" (app/_lib/lab/replayer.ts) against a real lab server: a
 * session is recorded from real calls, then its calls are made again in a fresh session. The new
 * session must get its own handles and its own lab-picked port, an accept() that waited for a
 * connect must finish again, and the kernel must answer each call as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { Step } from '../../server/protocol/index.ts';
import { differences, replayPlan, Replayer } from '../../app/_lib/lab/replayer.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { connect, isStep, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';

const nativeSkip = loadNativeAddon() ? false : 'the native addon is not built (node scripts/build-addon.mjs)';

describe('replaying recorded calls in a fresh session', () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab();
  });
  after(async () => {
    await server?.close();
  });

  /** The final record of each step, as the browser keeps it (a blocked step replaced by its end). */
  function record(c: Connected): Step[] {
    const bySeq = new Map<number, Step>();
    for (const e of c.events) if (isStep(e)) bySeq.set(e.seq, e);
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  async function recordSession(): Promise<{ steps: Step[]; port: number }> {
    const c = await connect(server);
    try {
      const srv = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
      const { port } = await ok(c.client.call('bind', { sock: srv.sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock: srv.sock }));
      // accept() before anyone connects: it waits, and finishes after the connect below.
      const accepted = c.client.call('accept', { sock: srv.sock });
      await c.waitEvent((e) => isStep(e) && e.op === 'accept' && e.status === 'blocked');
      const cli = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
      await ok(c.client.call('connect', { sock: cli.sock, address: '127.0.0.1', port }));
      const conn = await ok(accepted);
      await ok(c.client.call('send', { sock: cli.sock, data: 'hello\n' }));
      await ok(c.client.call('recv', { sock: conn.sock, max: 100 }));
      // A failure, replayed as a failure: a second bind on the same port.
      const dup = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
      await c.client.call('bind', { sock: dup.sock, address: '127.0.0.1', port });
      await ok(c.client.call('close', { sock: cli.sock }));
      await waitUntil(() => record(c).every((s) => s.status !== 'blocked'), 3000, 'every step finished');
      return { steps: record(c), port };
    } finally {
      c.client.close();
    }
  }

  it('makes the same calls again with new handles and a new port, and the kernel answers as before', { timeout: 30_000 }, async () => {
    const { steps, port: oldPort } = await recordSession();
    const plan = replayPlan(steps);
    assert.equal(plan.length, steps.length, 'every recorded call is replayed');
    assert.equal(plan.find((p) => p.op === 'bind' && p.recorded !== 'ok')?.recorded, 'EADDRINUSE');

    // The old session's sockets are closed when it ends; its port may be reused or not: the lab picks.
    const c = await connect(server);
    try {
      // A handle already in use in the new session: replayed handles must be mapped, not copied.
      await ok(c.client.call('socket', { type: 'udp', actor: 'other' }));
      const progress: number[] = [];
      const result = await new Replayer(c.client, plan, { callsPerSecond: 1000, onProgress: (done) => progress.push(done) }).run();
      assert.deepEqual(progress, plan.map((_, i) => i + 1));
      assert.deepEqual(differences(result), [], 'each call answered as recorded');
      const accept = result.find((r) => r.op === 'accept');
      assert.equal(accept?.actual, 'blocked', 'the accept waited again for the connect after it');

      await waitUntil(() => record(c).filter((s) => s.op === 'recv').every((s) => s.status === 'ok'), 3000, 'the replayed recv finished');
      const now = record(c);
      const bind = now.find((s) => s.op === 'bind' && s.status === 'ok')!;
      const newPort = (bind.result as { port: number }).port;
      const connectStep = now.find((s) => s.op === 'connect')!;
      assert.equal(connectStep.status, 'ok');
      assert.equal((connectStep.args as { port: number }).port, newPort, `connect went to the new port ${newPort} (was ${oldPort})`);
      const dupBind = now.find((s) => s.op === 'bind' && s.status === 'error')!;
      assert.equal((dupBind.args as { port: number }).port, newPort, 'the second bind aims at the new port too');
      assert.equal(dupBind.error?.code, 'EADDRINUSE');
      // New handles: s1 was taken by the UDP socket, so the server's socket is s2 now.
      assert.deepEqual(now.filter((s) => s.op === 'socket').map((s) => s.sock), ['s1', 's2', 's3', 's5']);
      const recv = now.find((s) => s.op === 'recv')!;
      assert.equal(recv.sock, 's4', 'recv runs on the socket the replayed accept made');
      assert.equal((recv.result as { data: string }).data, 'hello\n');
    } finally {
      c.client.close();
    }
  });

  it('replays a poll with the new session\'s handles, and it waits again until the connect after it', { timeout: 20_000, skip: nativeSkip }, async () => {
    const rec = await connect(server);
    let steps: Step[];
    try {
      const srv = await ok(rec.client.call('socket', { type: 'tcp', actor: 'server' }));
      const { port } = await ok(rec.client.call('bind', { sock: srv.sock, address: '127.0.0.1', port: 0 }));
      await ok(rec.client.call('listen', { sock: srv.sock }));
      const polled = rec.client.call('poll', { socks: [{ sock: srv.sock, events: ['in'] }], timeout: -1 });
      await rec.waitEvent((e) => isStep(e) && e.op === 'poll' && e.status === 'blocked');
      const cli = await ok(rec.client.call('socket', { type: 'tcp', actor: 'client' }));
      await ok(rec.client.call('connect', { sock: cli.sock, address: '127.0.0.1', port }));
      await ok(polled);
      steps = record(rec);
    } finally {
      rec.client.close();
    }
    const c = await connect(server);
    try {
      // s1 is taken in the new session, so the listener the poll names is s2 now.
      await ok(c.client.call('socket', { type: 'udp', actor: 'other' }));
      const result = await new Replayer(c.client, replayPlan(steps), { callsPerSecond: 1000 }).run();
      assert.deepEqual(differences(result), []);
      assert.equal(result.find((r) => r.op === 'poll')?.actual, 'blocked', 'the poll waited again');
      await waitUntil(() => record(c).some((s) => s.op === 'poll' && s.status === 'ok'), 3000, 'the replayed poll finished');
      const poll = record(c).find((s) => s.op === 'poll')!;
      assert.deepEqual(poll.args, { socks: [{ sock: 's2', events: ['in'] }], timeout: -1 });
      assert.deepEqual(poll.result, { ready: 1, socks: [{ sock: 's2', revents: ['in'] }] });
    } finally {
      c.client.close();
    }
  });

  it('skips a call whose socket was not made this time, and says why', { timeout: 20_000 }, async () => {
    const c = await connect(server);
    try {
      // Recorded: a socket() that worked, then a bind on it. Replayed with a socket() refused by the
      // protocol (a bad actor name), so the bind has no socket to run on.
      const plan = replayPlan([
        { event: 'step', seq: 1, id: 1, actor: 'x', op: 'socket', sock: 's7', args: { type: 'tcp', actor: 'bad name!' }, status: 'ok', result: { sock: 's7', fd: 3 }, start: 1, end: 2 },
        { event: 'step', seq: 2, id: 2, actor: 'x', op: 'bind', sock: 's7', args: { sock: 's7', address: '127.0.0.1', port: 0 }, status: 'ok', result: { address: '127.0.0.1', port: 41001 }, start: 3, end: 4 },
      ]);
      const result = await new Replayer(c.client, plan, { callsPerSecond: 1000 }).run();
      assert.equal(result[0].actual, 'E_BAD_REQUEST');
      assert.equal(result[1].actual, 'skipped');
      assert.match(result[1].note ?? '', /s7 was not made this time/);
      assert.equal(c.events.filter((e) => isStep(e) && e.op === 'bind').length, 0, 'no bind was sent');
    } finally {
      c.client.close();
    }
  });
});
