/**
 * Nothing of a sandbox network outlives what owns it, driven the way learners drive it: over the
 * lab's WebSocket against a real server (issue 16). 200 create/destroy cycles in one session; 100
 * sessions that each make a network and vanish without a goodbye (their WebSocket terminated);
 * `kill -9` of a server started as `npm start` starts it. Afterwards the server's fds, its child
 * processes and the namespaces are back at their baseline, read from /proc (the kernel's view, not
 * our records).
 *
 * Namespace inode numbers are reused by the kernel, and other test files make namespaces in
 * parallel: `holdersOf` leaves out live helpers (ours included, whose own holdings are checked
 * by name), and every "back to baseline" is polled with `until`, never read at one instant.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { clip, connect, ok, startLab, waitUntil, within } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';
import { alive, childPids, fdCount, holdersOf, netnsFds, until } from './sandbox.shared.ts';

const skip = needs('unshare', 'ip', 'nft');
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Fails naming what is still held, when `probe` never empties within `ms`. */
async function untilNone(what: string, probe: () => string[], ms = 10_000): Promise<void> {
  let last: string[] = [];
  try {
    await until(what, () => (last = probe()).length === 0, ms);
  } catch {
    assert.deepEqual(last, [], what);
  }
}

interface Baseline {
  fds: number;
  children: number[];
  helper: number;
  helperFds: number;
  /** The helper's own namespace (the empty one its thread returns to). */
  own: string[];
}

async function baseline(server: RunningServer): Promise<Baseline> {
  const helper = await server.sandbox!.helperPid();
  assert.ok(helper, 'the helper is running');
  return { fds: fdCount(), children: childPids().sort(), helper, helperFds: fdCount(helper), own: netnsFds(helper) };
}

/** Every count back where it was, polled (a closing WebSocket and a freed namespace take a moment). */
async function backToBaseline(server: RunningServer, base: Baseline, seen: ReadonlySet<string>): Promise<void> {
  await waitUntil(() => server.hub.sessionCount === 0, 10_000, () => `the sessions to end (${server.hub.sessionCount} left)`);
  await waitUntil(async () => (await server.sandbox!.stats()).networks === 0, 10_000, 'the networks to go');
  assert.deepEqual(await server.sandbox!.stats(), { networks: 0, namespaces: 0 });
  assert.equal(await server.sandbox!.helperPid(), base.helper, 'the same helper runs: nothing was restarted to clean up');
  await waitUntil(() => netnsFds(base.helper).join() === base.own.join(), 10_000, () => `the helper to hold only its own namespace (holds ${netnsFds(base.helper).length})`);
  await waitUntil(() => fdCount(base.helper) === base.helperFds, 10_000, () => `the helper's fds back to ${base.helperFds} (now ${fdCount(base.helper)})`);
  await waitUntil(() => fdCount() === base.fds, 10_000, () => `the server's fds back to ${base.fds} (now ${fdCount()})`);
  await waitUntil(() => childPids().sort().join() === base.children.join(), 10_000, () => `the server's children back to ${base.children} (now ${childPids()})`);
  await waitUntil(() => childPids(base.helper).length === 0, 10_000, 'the helper to have no ip or nft left running');
  const others = new Set([...seen].filter((ns) => !base.own.includes(ns)));
  await untilNone('no process holds a namespace of those networks', () => holdersOf(others));
}

describe('sandbox networks end with what owns them (over the lab)', { skip }, () => {
  let server: RunningServer;
  let base: Baseline;
  before(async () => {
    // One worker: one sandbox helper, whose pid and fds the baseline follows.
    server = await startLab({ sessionsPerAddress: 200, maxSockets: 8, workers: 1 });
    // Warm up: the helper and its own fds live as long as the server, whatever sessions do.
    const first = await connect(server);
    await ok(first.client.call('network', { action: 'create', topology: 'home' }));
    await ok(first.client.call('network', { action: 'destroy' }));
    first.client.close();
    await waitUntil(() => server.hub.sessionCount === 0, 5000, 'the warm-up session to end');
    base = await baseline(server);
  });
  after(async () => {
    await server?.close();
  });

  it('200 network create/destroy cycles in one session leave no fd, process or namespace behind', { timeout: 180_000 }, async (t) => {
    const c = await connect(server);
    const seen = new Set<string>();
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      const { network } = await ok(c.client.call('network', { action: 'create', topology: 'home' }));
      assert.equal(network?.hosts.length, 4);
      // A socket keeps its host's namespace alive: half are closed by the learner, half by destroy.
      const { sock } = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
      await ok(c.client.call('bind', { sock, address: '203.0.113.80', port: 80 }));
      await ok(c.client.call('listen', { sock }));
      const held = netnsFds(base.helper);
      assert.equal(held.length, base.own.length + 4, `cycle ${i}: the helper holds one namespace per host`);
      for (const ns of held) seen.add(ns);
      if (i % 2 === 0) await ok(c.client.call('close', { sock }));
      assert.deepEqual(await ok(c.client.call('network', { action: 'destroy' })), { network: null });
    }
    t.diagnostic(`200 cycles in ${Date.now() - started} ms; ${seen.size} namespace inodes seen`);
    c.client.close();
    await backToBaseline(server, base, seen);
  });

  it('100 sessions, each with a network, dropped abruptly (WebSocket terminated, no goodbye)', { timeout: 180_000 }, async (t) => {
    const seen = new Set<string>();
    const started = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      const sessions = await Promise.all(Array.from({ length: 10 }, () => connect(server)));
      await Promise.all(
        sessions.map(async (s) => {
          await ok(s.client.call('network', { action: 'create', topology: 'home' }));
          const listener = await ok(s.client.call('socket', { type: 'tcp', host: 'server' }));
          await ok(s.client.call('bind', { sock: listener.sock, address: '203.0.113.80', port: 80 }));
          await ok(s.client.call('listen', { sock: listener.sock }));
          const laptop = await ok(s.client.call('socket', { type: 'tcp', host: 'laptop' }));
          await ok(s.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }));
        }),
      );
      for (const ns of netnsFds(base.helper)) seen.add(ns);
      // A tab killed, a laptop lid shut: the TCP connection just ends, no close frame.
      for (const s of sessions) s.ws.terminate();
    }
    assert.ok(seen.size >= 40, `the networks were alive together (${seen.size} namespaces seen)`);
    t.diagnostic(`100 sessions in ${Date.now() - started} ms; ${seen.size} namespace inodes seen`);
    await backToBaseline(server, base, seen);
  });
});

/** One lab call over a raw WebSocket (the server under test runs in another process). */
interface Reply {
  id: number;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string };
}

/** A step event carries its command's id too; only a reply has `ok`. */
const isReply = (msg: Partial<Reply>, id: number): msg is Reply => msg.id === id && typeof msg.ok === 'boolean';

function call(ws: WebSocket, id: number, op: string, args: object): Promise<Reply> {
  return within(
    15_000,
    new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(String(data)) as Partial<Reply>;
        if (!isReply(msg, id)) return;
        ws.off('message', onMessage);
        resolve(msg);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, op, args }));
    }),
    `the reply to ${op}`,
  );
}

function openSession(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/lab`);
    ws.on('message', (d) => {
      if ((JSON.parse(String(d)) as { event?: string }).event === 'hello') resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** The sandbox helpers a server process started (children whose command line names it). */
function helpersOf(serverPid: number): number[] {
  return childPids(serverPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('sandbox/helper/main.ts');
    } catch {
      return false;
    }
  });
}

describe('kill -9 of a lab server started as `npm start` starts it', { skip }, () => {
  it('leaves no helper process and no namespace of its networks', { timeout: 90_000 }, async () => {
    const env = { ...process.env };
    delete env.SOCKETLAB_QUIET; // the start line says the port
    const wrapper = spawn(process.execPath, ['scripts/start.mjs', '--lab-only', '--port', '0'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    wrapper.stdout!.on('data', (d) => (out += d));
    wrapper.stderr!.on('data', (d) => (out += d));
    const sockets: WebSocket[] = [];
    try {
      await waitUntil(() => /running at http:\/\/[^:]+:\d+/.test(out) || wrapper.exitCode !== null, 60_000, () => `the server to start (${clip(out, 800)})`);
      const port = Number(/running at http:\/\/[^:]+:(\d+)/.exec(out)?.[1]);
      assert.ok(port > 0, `the server did not start: ${clip(out, 800)}`);
      const [serverPid] = childPids(wrapper.pid!);
      assert.ok(serverPid, 'start.mjs runs the server as its child');

      for (let i = 0; i < 3; i++) {
        const ws = await openSession(port);
        sockets.push(ws);
        const created = await call(ws, 1, 'network', { action: 'create', topology: 'home' });
        assert.ok(created.ok, JSON.stringify(created.error));
        const listener = await call(ws, 2, 'socket', { type: 'tcp', host: 'server' });
        const sock = listener.result?.sock;
        assert.ok((await call(ws, 3, 'bind', { sock, address: '203.0.113.80', port: 80 })).ok);
        assert.ok((await call(ws, 4, 'listen', { sock })).ok);
      }
      // One sandbox helper per lab worker thread (the start line says how many workers).
      const workers = Number(/lab workers: (\d+)/.exec(out)?.[1]);
      assert.ok(workers >= 1, `the start line names the lab workers: ${clip(out, 800)}`);
      const helpers = helpersOf(serverPid);
      assert.ok(helpers.length >= 1 && helpers.length <= workers, `one helper per worker that built a network, the server's children (${helpers.length} for ${workers} workers)`);
      const namespaces = new Set(helpers.flatMap((h) => netnsFds(h)));
      assert.equal(namespaces.size, helpers.length + 12, 'each helper\'s own namespace, and three networks of four hosts');

      process.kill(serverPid, 'SIGKILL');
      await until('the helpers died with their server', () => helpers.every((h) => !alive(h)), 10_000);
      await until('the server is gone', () => !alive(serverPid), 10_000);
      await untilNone('no process holds the dead server\'s namespaces', () => holdersOf(namespaces));
      // Nothing that names the dead server as its owner is left anywhere on the machine.
      const orphans = () =>
        readdirSync('/proc')
          .filter((name) => /^\d+$/.test(name))
          .filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(`"serverPid":${serverPid}`) && alive(Number(pid));
            } catch {
              return false;
            }
          });
      await untilNone('no helper of the dead server anywhere', orphans);
    } finally {
      for (const ws of sockets) ws.terminate();
      try {
        process.kill(-wrapper.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
  });
});
