/**
 * No way out: from every sandbox host, this machine's real addresses (as os.networkInterfaces()
 * lists them) and its loopback are unreachable, and two networks with the same addresses cannot
 * see each other. The test holds real listeners on those real addresses and checks that nothing
 * ever arrives; the sandbox's attempts end with an error, never a connection.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { createSandbox, type HostName, type Sandbox, type SandboxNetwork } from '../../server/sandbox/index.ts';
import { needs } from '../helpers/tools.ts';
import { bounded, codeOf, listen } from './sandbox.shared.ts';

const skip = needs('unshare', 'ip', 'nft');
const T = { timeout: 60_000 };
const HOSTS: HostName[] = ['laptop', 'phone', 'router', 'server'];
/** What a connection that cannot leave the sandbox ends with. ECONNREFUSED only from a host's own loopback. */
const NO_WAY = ['ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'E_CANCELLED'];

/** This machine's addresses a socket could be sent to: every IPv4 and every non-link-local IPv6. */
function realAddresses(): Array<{ address: string; family: 4 | 6; loopback: boolean }> {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' || !a.address.toLowerCase().startsWith('fe80'))
    .map((a) => ({ address: a.address, family: a.family === 'IPv4' ? 4 : 6, loopback: a.internal }));
}

describe('sandbox isolation', { skip }, () => {
  let sandbox: Sandbox;
  let a: SandboxNetwork;
  let b: SandboxNetwork;

  before(async () => {
    sandbox = createSandbox({ synRetries: 1 });
    [a, b] = await Promise.all([sandbox.create('home'), sandbox.create('home')]);
  });
  after(async () => {
    await sandbox?.close();
  });

  test('no sandbox host can reach this machine\'s real addresses or its loopback', T, async () => {
    const targets = realAddresses();
    assert.ok(targets.some((t) => t.loopback), 'the machine has a loopback address to try');
    // A real listener on each real address: if a sandbox packet ever arrived, it would be accepted.
    const arrived: string[] = [];
    const listeners = await Promise.all(
      targets.map(
        (t) =>
          new Promise<{ server: net.Server; port: number; target: (typeof targets)[number] }>((resolve, reject) => {
            const server = net.createServer((sock) => {
              arrived.push(`${t.address} from ${sock.remoteAddress}`);
              sock.destroy();
            });
            server.once('error', reject);
            server.listen({ host: t.address, port: 0, ipv6Only: t.family === 6 }, () => {
              const address = server.address();
              resolve({ server, port: typeof address === 'object' && address ? address.port : 0, target: t });
            });
          }),
      ),
    );
    try {
      const attempts = HOSTS.flatMap((host) =>
        listeners.map(async ({ port, target }) => {
          const socket = await a.socket(host, 'tcp', target.family);
          try {
            const code = await codeOf(socket.connect(target.address, port, bounded(5000)));
            return { host, target: target.address, code, loopback: target.loopback };
          } finally {
            socket.close();
          }
        }),
      );
      for (const r of await Promise.all(attempts)) {
        // 127.0.0.1 and ::1 exist in every host, on its own loopback, where nothing listens.
        const expected = r.loopback ? ['ECONNREFUSED'] : NO_WAY;
        assert.ok(expected.includes(r.code), `${r.host} → ${r.target}: ${r.code}`);
      }
      const pings = await Promise.all(
        HOSTS.flatMap((host) => targets.filter((t) => !t.loopback).map((t) => a.ping(host, t.address, { count: 1, timeoutMs: 300 }))),
      );
      for (const p of pings) assert.equal(p.received, 0, `${p.host} pinged ${p.address} and got an answer`);
    } finally {
      for (const l of listeners) l.server.close();
    }
    assert.deepEqual(arrived, [], 'nothing from the sandbox reached a real listener');
  });

  test('every route in every host stays inside the sandbox\'s prefixes', T, async () => {
    const view = await a.show();
    const inside = /^(default|192\.168\.1\.0\/24|203\.0\.113\.0\/24|2001:db8:[12]::\/64|fe80::\/64)$/;
    const gateways = new Set([null, '192.168.1.1', '2001:db8:1::1', '2001:db8:2::1']);
    for (const host of view.hosts) {
      for (const r of host.routes) {
        assert.match(r.destination, inside, `${host.name}: ${r.destination}`);
        assert.ok(gateways.has(r.gateway), `${host.name}: via ${r.gateway}`);
      }
      const names = host.interfaces.map((i) => i.name).sort();
      const expected = host.name === 'router' ? ['lan', 'lan-laptop', 'lan-phone', 'lo', 'wan'] : ['eth0', 'lo'];
      assert.deepEqual(names, expected, `${host.name} has only its sandbox interfaces`);
    }
    assert.equal(view.hosts.find((h) => h.name === 'server')!.routes.some((r) => r.destination === 'default'), false);
  });

  test('two networks with the same addresses cannot see each other', T, async () => {
    const inA = await listen(a, 'server', '203.0.113.80', 80);
    const inB = await listen(b, 'server', '203.0.113.80', 80);
    try {
      const acceptedA = inA.socket.accept(bounded(3000));
      const acceptedB = inB.socket.accept(bounded(3000));
      const client = await b.socket('laptop', 'tcp', 4);
      await client.connect('203.0.113.80', 80, bounded());
      const got = await acceptedB;
      assert.equal(got.peer.address, '203.0.113.1');
      assert.equal(await codeOf(acceptedA), 'E_CANCELLED', 'network A\'s server never saw network B\'s laptop');
      got.socket.close();
      client.close();

      const onlyInB = await listen(b, 'phone', '192.168.1.11', 7000);
      const probe = await a.socket('laptop', 'tcp', 4);
      assert.equal(await codeOf(probe.connect('192.168.1.11', 7000, bounded())), 'ECONNREFUSED', 'A\'s phone answers for A, and listens nowhere');
      probe.close();
      onlyInB.close();
    } finally {
      inA.close();
      inB.close();
    }
  });
});
