/**
 * Quotas that stay quotas, tried against real servers: the chat's extra allowance ends with the
 * chat, accept() respects the session's socket cap, a process-wide budget keeps any mix of sessions
 * from reaching EMFILE (also in a server process started with a low open-file limit), and one
 * flooding client is refused cheaply and closed while another session's calls all go through.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import { connect, errCode, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';

const ENGINES = [...(loadNativeAddon() ? (['native'] as const) : []), 'node'] as const;
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Opens sockets until the lab refuses; returns how many opened and the refusal. */
async function fill(c: Connected, max: number): Promise<{ opened: number; error: { code: string; message: string } | null }> {
  for (let opened = 0; opened < max; opened++) {
    const r = await c.client.call('socket', { type: 'udp' });
    if (!r.ok) return { opened, error: r.error };
  }
  return { opened: max, error: null };
}

for (const engine of ENGINES) {
  describe(`session quotas (engine: ${engine})`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startLab({ engine, maxSockets: 6, chatMaxClients: 3 });
    });
    after(() => server.close());

    it("the chat's extra allowance ends with the chat", async () => {
      const c = await connect(server);
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      const { port } = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock }));
      await ok(c.client.call('run', { program: 'chat', sock }));
      const clients = Array.from({ length: 3 }, () => net.connect(port, '127.0.0.1'));
      for (const cl of clients) cl.on('error', () => {});
      await waitUntil(() => c.events.filter((e) => e.event === 'program' && e.kind === 'joined').length === 3, 5000, 'three chat clients');
      // The chat's clients come from its own allowance: the learner still has theirs (6, the listener is one).
      const during = await fill(c, 50);
      assert.equal(during.opened, 5, 'while the chat runs, the learner has their own 6 sockets');
      assert.equal(during.error?.code, 'E_LIMIT');
      for (let i = 0; i < 5; i++) await ok(c.client.call('close', { sock: `s${5 + i}` }));

      await ok(c.client.call('stop', { program: 'chat' }));
      await waitUntil(() => c.events.some((e) => e.event === 'program' && e.kind === 'stopped'), 3000, 'chat stopped');
      const afterStop = await fill(c, 200);
      assert.equal(afterStop.opened, 6, 'after the chat, the session is back to its cap of 6');
      assert.equal(afterStop.error?.code, 'E_LIMIT');
      for (const cl of clients) cl.destroy();
      c.client.close();
    });

    it('the chat accepts at most chatMaxClients clients', async () => {
      const c = await connect(server);
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      const { port } = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock, backlog: 8 }));
      await ok(c.client.call('run', { program: 'chat', sock }));
      const clients = Array.from({ length: 5 }, () => net.connect(port, '127.0.0.1'));
      for (const cl of clients) cl.on('error', () => {});
      await waitUntil(() => c.events.filter((e) => e.event === 'program' && e.kind === 'joined').length === 3, 5000, 'three chat clients');
      await new Promise((r) => setTimeout(r, 500)); // the accept loop retries every 200 ms
      assert.equal(c.events.filter((e) => e.event === 'program' && e.kind === 'joined').length, 3);
      for (const cl of clients) cl.destroy();
      c.client.close();
    });

    it("accept() respects the session's socket cap", async () => {
      const c = await connect(server);
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      const { port } = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock }));
      const outside = net.connect(port, '127.0.0.1');
      outside.on('error', () => {});
      await new Promise((r) => outside.once('connect', r));
      assert.equal((await fill(c, 5)).opened, 5, 'the session now holds its 6 sockets');
      assert.equal(await errCode(c.client.call('accept', { sock })), 'E_LIMIT', 'a seventh, by accept(), is refused');
      await ok(c.client.call('close', { sock: 's6' }));
      const got = await ok(c.client.call('accept', { sock }));
      assert.equal(got.peer.port, outside.localPort);
      outside.destroy();
      c.client.close();
    });
  });

  describe(`the server-wide socket budget (engine: ${engine})`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startLab({ engine, labFdBudget: 40, maxSockets: 16, sessionsPerAddress: 20 });
    });
    after(() => server.close());

    it('refuses lab sockets beyond the budget with E_LIMIT, whatever the mix of sessions', async () => {
      assert.equal(server.fdBudget.sockets, 40);
      const sessions = await Promise.all(Array.from({ length: 4 }, () => connect(server)));
      const results = await Promise.all(sessions.map((c) => fill(c, 16)));
      assert.equal(results.reduce((n, r) => n + r.opened, 0), 40, 'exactly the budget was opened');
      for (const r of results.filter((x) => x.error)) {
        assert.equal(r.error!.code, 'E_LIMIT');
        assert.match(r.error!.message, /40 sockets/);
      }
      // accept() counts too: a listener's connection waits until a socket is free.
      const owner = sessions.find((_, i) => results[i].opened > 0)!;
      await ok(owner.client.call('close', { sock: 's1' }));
      const { sock } = await ok(owner.client.call('socket', { type: 'tcp' }));
      const { port } = await ok(owner.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(owner.client.call('listen', { sock }));
      // (The fallback engine, whose Node accepts at once, resets it instead: it has no fd to spare.)
      const outside = net.connect(port, '127.0.0.1');
      outside.on('error', () => {});
      await new Promise((r) => {
        outside.once('connect', r);
        outside.once('close', r);
      });
      assert.equal(await errCode(owner.client.call('accept', { sock })), 'E_LIMIT');
      outside.destroy();
      // The server keeps answering, and sockets come back as sessions end.
      sessions[3].client.close();
      sessions[2].client.close();
      await waitUntil(() => server.hub.sessionCount === 2, 3000, 'two sessions ended');
      const fresh = await connect(server);
      await ok(fresh.client.call('kernel', {}));
      await ok(fresh.client.call('socket', { type: 'tcp' }));
      for (const c of [sessions[0], sessions[1], fresh]) c.client.close();
    });
  });
}

describe('the per-address cap', () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab({ sessionsPerAddress: 3 });
  });
  after(() => server.close());

  /** Opens /lab from a chosen loopback source address; resolves with how it ended up. */
  function open(query: string, localAddress: string): Promise<{ ws: WebSocket; refused: boolean }> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab${query}`, { localAddress });
    return new Promise((resolve) => {
      ws.once('message', (m) => {
        const msg = JSON.parse(String(m));
        resolve({ ws, refused: msg.ok === false && msg.error.code === 'E_LIMIT' });
      });
    });
  }

  it('counts viewers as well as sessions, and every loopback address as one client', async () => {
    const owner = await connect(server);
    const viewer = await open(`?watch=${owner.hello.watchToken}`, '127.0.0.1');
    assert.equal(viewer.refused, false);
    const third = await open('', '127.0.0.2');
    assert.equal(third.refused, false, 'the third connection of this machine');
    const fourth = await open('', '127.0.0.3');
    assert.equal(fourth.refused, true, '127.0.0.3 is the same machine, over its cap of 3');
    const watcher = await open(`?watch=${owner.hello.watchToken}`, '127.0.0.4');
    assert.equal(watcher.refused, true, 'a viewer is over the cap too');
    for (const ws of [viewer.ws, third.ws, fourth.ws, watcher.ws]) ws.close();
    owner.client.close();
    await waitUntil(() => server.hub.sessionCount === 0, 3000, 'sessions closed');
    const again = await open('', '127.0.0.5');
    assert.equal(again.refused, false, 'closed connections give their place back');
    again.ws.close();
  });
});

describe('a server with a low open-file limit', () => {
  it('answers E_LIMIT, never EMFILE, to 30 sessions of 16 sockets each, and keeps serving', { timeout: 60_000 }, async () => {
    // RLIMIT_NOFILE 400 (soft and hard, so Node cannot raise it): the budget is 400 - 256 = 144.
    const proc = spawn('/bin/sh', ['-c', `ulimit -n 400 && exec "${process.execPath}" --import tsx server/index.ts --lab-only --port 0 --quiet`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SOCKETLAB_SESSIONS_PER_ADDRESS: '40', SOCKETLAB_COMMANDS_PER_SECOND: '1000' },
    });
    try {
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}`)), 30_000);
        proc.stdout!.on('data', (d) => {
          out += d;
          const m = /running at http:\/\/[^:]+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        proc.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)));
      });
      const lab = { port } as RunningServer;
      const sessions = await Promise.all(Array.from({ length: 30 }, () => connect(lab)));
      const codes = new Map<string, number>();
      let opened = 0;
      await Promise.all(
        sessions.map(async (c) => {
          for (let i = 0; i < 16; i++) {
            const r = await c.client.call('socket', { type: i % 2 ? 'udp' : 'tcp' });
            if (r.ok) {
              opened++;
              // A real fd for the fallback's TCP sockets too: bind a UDP one, listen a TCP one.
              if (i % 2) await c.client.call('bind', { sock: r.result.sock, address: '127.0.0.1', port: 0 });
            } else codes.set(r.error.code, (codes.get(r.error.code) ?? 0) + 1);
          }
        }),
      );
      assert.equal(codes.get('EMFILE'), undefined, `no EMFILE: ${JSON.stringify([...codes])}`);
      assert.ok((codes.get('E_LIMIT') ?? 0) > 0, 'the budget refused some');
      assert.deepEqual([...codes.keys()], ['E_LIMIT']);
      assert.ok(opened <= 144, `at most the budget: ${opened}`);
      // Still serving: a call on a live session, a new session after closing some.
      await ok(sessions[0].client.call('kernel', {}));
      for (const c of sessions.slice(0, 5)) c.client.close();
      await new Promise((r) => setTimeout(r, 300));
      const fresh = await connect(lab);
      await ok(fresh.client.call('socket', { type: 'tcp' }));
      fresh.client.close();
      for (const c of sessions) c.client.close();
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

describe('a flooding session', () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab({ commandsPerSecond: 20 });
  });
  after(() => server.close());

  it('is refused before parsing and closed (1008 E_LIMIT), while another session is served', { timeout: 30_000 }, async () => {
    const normal = await connect(server);
    const flood = new WebSocket(`ws://127.0.0.1:${server.port}/lab`);
    await new Promise((r) => flood.once('message', r)); // hello
    const refused: (string | number | null)[] = [];
    flood.on('message', (m) => {
      const msg = JSON.parse(String(m));
      if (msg.ok === false && msg.error.code === 'E_LIMIT') refused.push(msg.id);
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => flood.once('close', (code, reason) => resolve({ code, reason: String(reason) })));

    const frames = Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ id: i + 1, op: 'kernel', args: {} }));
    for (const f of frames) flood.send(f);

    // The other session, at a pace its allowance permits, meanwhile: every call succeeds.
    const { sock } = await ok(normal.client.call('socket', { type: 'udp' }));
    const { port } = await ok(normal.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    for (let i = 0; i < 15; i++) {
      await ok(normal.client.call('sendto', { sock, data: `n${i}`, address: '127.0.0.1', port }));
      await ok(normal.client.call('recvfrom', { sock }));
      await new Promise((r) => setTimeout(r, 60));
    }

    const { code, reason } = await Promise.race([
      closed,
      new Promise<{ code: number; reason: string }>((resolve) => setTimeout(() => resolve({ code: 0, reason: 'still open after 10 s' }), 10_000)),
    ]);
    assert.equal(code, 1008);
    assert.equal(reason, 'E_LIMIT');
    assert.ok(refused.length > 0, 'the flood was told E_LIMIT before being closed');
    assert.ok(refused.filter((id) => typeof id === 'number').length > 0, 'refusals carry the frame\'s id when it leads the frame');
    assert.ok(refused.length < 2000, `refusals are bounded: ${refused.length}`);
    await ok(normal.client.call('kernel', {}));
    normal.client.close();
    flood.terminate();
  });
});
