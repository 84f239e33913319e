/**
 * Nothing outlives its owner: after 200 create/destroy cycles, after 100 networks dropped at once
 * (their helper killed, or the sandbox shut down without destroying them) and after `kill -9` of
 * a server holding networks, the process's fds, the addon's sockets, its child processes and the
 * network namespaces are back where they started. Counts come from /proc, not from our records.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { createSandbox, type Sandbox, type SandboxNetwork } from '../../server/sandbox/index.ts';
import { needs } from '../helpers/tools.ts';
import { alive, childPids, fdCount, holdersOf, listen, netnsFds, until } from './sandbox.shared.ts';

const skip = needs('unshare', 'ip', 'nft');
const addon = loadNativeAddon()!;

/** The kernel's count of network namespaces, when we may read it (root); for the test's diagnostics. */
function slabNetns(): number | null {
  try {
    const line = readFileSync('/proc/slabinfo', 'utf8').split('\n').find((l) => l.startsWith('net_namespace '));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

async function createMany(sandbox: Sandbox, n: number): Promise<SandboxNetwork[]> {
  const made: SandboxNetwork[] = [];
  for (let i = 0; i < n; i += 10) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => sandbox.create('home')))));
  }
  return made;
}

describe('sandbox lifecycle', { skip }, () => {
  const sandboxes: Sandbox[] = [];
  after(async () => {
    for (const s of sandboxes) await s.close();
  });

  test('200 create/destroy cycles leave no fd, socket, namespace or process behind', { timeout: 120_000 }, async (t) => {
    const sandbox = createSandbox();
    sandboxes.push(sandbox);
    await (await sandbox.create('home')).destroy(); // the helper is running from here on
    const helper = (await sandbox.helperPid())!;
    const base = { fds: fdCount(), owned: addon.ownedCount(), helperFds: fdCount(helper), children: childPids().sort() };
    const slab0 = slabNetns();
    // The helper keeps one namespace fd of its own: the empty namespace its thread returns to.
    const own = netnsFds(helper);
    assert.equal(own.length, 1, 'a destroyed network leaves no namespace in the helper');

    for (let i = 0; i < 200; i++) {
      const net = await sandbox.create('home');
      const web = await listen(net, 'server', '203.0.113.80', 80); // a socket that keeps the server's namespace alive
      assert.equal(netnsFds(helper).length, 1 + 4);
      if (i % 2 === 0) web.close(); // the other half are closed by destroy()
      await net.destroy();
      assert.equal(net.openSockets, 0);
    }

    assert.equal(fdCount(), base.fds, 'the server process has the fds it had');
    assert.equal(addon.ownedCount(), base.owned, 'the addon holds no sandbox socket');
    assert.equal(fdCount(helper), base.helperFds, 'the helper has the fds it had');
    assert.deepEqual(netnsFds(helper), own, 'the helper holds no namespace but its own');
    assert.deepEqual(await sandbox.stats(), { networks: 0, namespaces: 0 });
    assert.deepEqual(childPids().sort(), base.children, 'no process was left behind (ip, nft)');
    t.diagnostic(`net_namespace objects in the kernel: ${slab0} before, ${slabNetns()} after (machine-wide, freed asynchronously)`);
  });

  test('100 networks dropped at once by killing their helper; then 20 more by shutting the sandbox down', { timeout: 120_000 }, async () => {
    const base = { fds: fdCount(), owned: addon.ownedCount(), children: childPids().sort() };
    const sandbox = createSandbox();
    sandboxes.push(sandbox);

    // 1. The helper dies (as a crash would) while 100 networks with open sockets exist.
    const nets = await createMany(sandbox, 100);
    for (const net of nets) await listen(net, 'laptop', '192.168.1.10', 22);
    const helper = (await sandbox.helperPid())!;
    const namespaces = new Set(netnsFds(helper));
    assert.equal(namespaces.size, 1 + 400, 'its own namespace, and four per network');
    const ended = nets.map((n) => new Promise<string>((resolve) => n.onEnd(resolve)));
    await sandbox.killHelper();
    const reasons = await Promise.all(ended);
    assert.match(reasons[0]!, /sandbox helper ended \(SIGKILL\)/);
    assert.equal(nets.every((n) => n.ended !== null && n.openSockets === 0), true, 'every network ended and closed its sockets');
    await until('the helper is gone', () => !alive(helper));
    await noHolders(namespaces, 'no process holds any of those namespaces');
    assert.equal(fdCount(), base.fds);
    assert.equal(addon.ownedCount(), base.owned);
    assert.deepEqual(childPids().sort(), base.children);
    assert.equal(await codeOfCall(() => nets[0]!.show()), 'E_NO_NETWORK');

    // 2. A new helper starts with the next network; then the sandbox shuts down with networks alive.
    const again = await createMany(sandbox, 20);
    for (const net of again) await listen(net, 'server', '203.0.113.80', 80);
    const helper2 = (await sandbox.helperPid())!;
    assert.notEqual(helper2, helper);
    const namespaces2 = new Set(netnsFds(helper2));
    await sandbox.close();
    assert.equal(again.every((n) => n.ended !== null && n.openSockets === 0), true);
    await until('the second helper is gone', () => !alive(helper2));
    await noHolders(namespaces2, 'no process holds the second helper\'s namespaces');
    assert.equal(fdCount(), base.fds);
    assert.equal(addon.ownedCount(), base.owned);
    assert.deepEqual(childPids().sort(), base.children);
    assert.equal(await codeOfCall(() => sandbox.create('home')), 'E_NO_NETWORK');
  });

  test('kill -9 of a server holding networks leaves no helper process and no namespace', { timeout: 60_000 }, async () => {
    const index = fileURLToPath(new URL('../../server/sandbox/index.ts', import.meta.url));
    const script = `
      import { createSandbox } from ${JSON.stringify(index)};
      import { readdirSync, readlinkSync } from 'node:fs';
      const sandbox = createSandbox();
      const nets = await Promise.all([1, 2, 3].map(() => sandbox.create('home')));
      for (const n of nets) { const s = await n.socket('server', 'tcp', 4); await s.bind('203.0.113.80', 80); await s.listen(1); }
      const pid = await sandbox.helperPid();
      const namespaces = readdirSync('/proc/' + pid + '/fd').map((fd) => { try { return readlinkSync('/proc/' + pid + '/fd/' + fd); } catch { return ''; } }).filter((l) => l.startsWith('net:['));
      console.log(JSON.stringify({ pid, namespaces }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`the server exited early (${code})`)));
      });
      const { pid, namespaces } = JSON.parse(first) as { pid: number; namespaces: string[] };
      assert.equal(namespaces.length, 1 + 12, 'the helper\'s own, and three networks of four hosts');
      assert.ok(alive(pid));
      child.kill('SIGKILL');
      await until('the helper died with its server', () => !alive(pid));
      await noHolders(new Set(namespaces), 'no process holds the dead server\'s namespaces');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/**
 * Waits (a few seconds at most) until no process holds these namespaces. A killed process's
 * threads leave the kernel one by one, so the first look can still see a dying thread; a process
 * that really kept a namespace is still there when the wait ends, and the message names it.
 */
async function noHolders(namespaces: ReadonlySet<string>, what: string): Promise<void> {
  let last: string[] = [];
  try {
    await until(what, () => (last = holdersOf(namespaces)).length === 0);
  } catch {
    assert.deepEqual(last, [], what);
  }
}

async function codeOfCall(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'no error';
}
