/**
 * No way out of a session's sandbox network, proved over the lab's WebSocket against a real server
 * (issue 16): from every sandbox host, connects to this machine's real addresses and to its
 * loopback (a listener of the test's own in the lab port range, and the lab server's HTTP port)
 * all fail and never reach a real listener; no route in any host leads to this machine; and two
 * sessions' networks, with the very same addresses, cannot see each other.
 *
 * Every listener here is real, so "never connects" is measured where it would show: by the
 * listeners' accept counts, not by our bookkeeping.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import type { RunningServer } from '../../server/app.ts';
import type { HostName } from '../../server/sandbox/index.ts';
import { connect, errCode, ok, startLab, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const skip = needs('unshare', 'ip', 'nft');
const HOSTS: HostName[] = ['laptop', 'phone', 'router', 'server'];
/** How a connect that cannot leave the sandbox ends (the SYN retries are lowered: ETIMEDOUT in ~7 s). */
const NO_ROUTE_OUT = ['ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT'];
/** The sandbox's own prefixes (docs/architecture.md); link-local and multicast stay on their link. */
const SANDBOX_PREFIXES = ['192.168.1.0/24', '203.0.113.0/24', '2001:db8::/32', 'fe80::/10', 'ff00::/8', '127.0.0.0/8', '::1/128'].map((p) => ipaddr.parseCIDR(p));

interface RealAddress {
  address: string;
  family: 4 | 6;
  mac: string;
}

/** This machine's non-loopback addresses a packet could be sent to (link-local v6 needs a scope: left out). */
function realAddresses(): RealAddress[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')))
    .map((a) => ({ address: a.address, family: a.family === 'IPv4' ? 4 : 6, mac: a.mac }));
}

function insideSandbox(address: string): boolean {
  const parsed = ipaddr.parse(address);
  return SANDBOX_PREFIXES.some(([prefix, bits]) => parsed.kind() === prefix.kind() && parsed.match(prefix, bits));
}

/** A real listener that counts what it accepts. */
interface CountingListener {
  address: string;
  port: number;
  accepted: string[];
  close(): Promise<void>;
}

function countingListener(address: string, port: number): Promise<CountingListener> {
  return new Promise((resolve, reject) => {
    const accepted: string[] = [];
    const server = net.createServer((sock) => {
      accepted.push(`${sock.remoteAddress}:${sock.remotePort}`);
      sock.destroy();
    });
    server.once('error', reject);
    server.listen({ host: address, port, ipv6Only: address.includes(':'), exclusive: true }, () => {
      const bound = server.address();
      resolve({
        address,
        port: typeof bound === 'object' && bound ? bound.port : port,
        accepted,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** A listener on 127.0.0.1 inside the lab's port range (41000-41999), on the first free port from a random start. */
async function labRangeListener(): Promise<CountingListener> {
  const start = 41000 + Math.floor(Math.random() * 1000);
  for (let i = 0; i < 1000; i++) {
    try {
      return await countingListener('127.0.0.1', 41000 + ((start - 41000 + i) % 1000));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error('no free port in 41000-41999');
}

describe('a session\'s sandbox network has no way out (over the lab)', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ maxSockets: 64, sandboxPingsPerSecond: 100 });
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c?.client.close();
    await server?.close();
  });

  it('no host reaches this machine\'s real addresses, its lab-range listener or the lab server\'s own port', { timeout: 60_000 }, async (t) => {
    const real = realAddresses();
    const listeners = [await labRangeListener(), ...(await Promise.all(real.map((r) => countingListener(r.address, 0))))];
    // Connections the lab server itself accepts from now on: the test's WebSocket is already open.
    const serverAccepts: string[] = [];
    const onConnection = (sock: net.Socket) => serverAccepts.push(`${sock.remoteAddress}:${sock.remotePort}`);
    server.server.on('connection', onConnection);
    try {
      const targets = [
        ...listeners.map((l) => ({ address: l.address, port: l.port, loopback: l.address === '127.0.0.1' })),
        { address: '127.0.0.1', port: server.port, loopback: true },
        ...real.map((r) => ({ address: r.address, port: server.port, loopback: false })),
      ];
      assert.ok(targets.some((t) => !t.loopback), 'this machine has a non-loopback address to try');
      const attempts = HOSTS.flatMap((host) =>
        targets.map(async (t) => {
          const family = t.address.includes(':') ? 6 : 4;
          const { sock } = await ok(c.client.call('socket', { type: 'tcp', family, host }));
          const r = await c.client.call('connect', { sock, address: t.address, port: t.port });
          await ok(c.client.call('close', { sock }));
          return { what: `${host} → ${t.address}:${t.port}`, code: r.ok ? 'connected' : r.error.code, loopback: t.loopback };
        }),
      );
      const results = await Promise.all(attempts);
      t.diagnostic(results.map((r) => `${r.what}: ${r.code}`).join('; '));
      for (const r of results) {
        // 127.0.0.1 exists in every host too: its own loopback, where nothing listens.
        assert.ok((r.loopback ? ['ECONNREFUSED'] : NO_ROUTE_OUT).includes(r.code), `${r.what}: ${r.code}`);
      }
      const pings = await Promise.all(
        HOSTS.flatMap((host) => real.map((r) => ok(c.client.call('ping', { host, address: r.address, count: 1 })))),
      );
      for (const p of pings) assert.equal(p.received, 0, `${p.host} pinged ${p.address} and got an answer`);
    } finally {
      server.server.off('connection', onConnection);
      for (const l of listeners) await l.close();
    }
    for (const l of listeners) assert.deepEqual(l.accepted, [], `nothing from the sandbox reached the listener on ${l.address}:${l.port}`);
    assert.deepEqual(serverAccepts, [], 'nothing from the sandbox reached the lab server');
  });

  it('no route in any host leads to this machine: every route, gateway and address is the sandbox\'s own', async () => {
    const { network } = await ok(c.client.call('network', { action: 'show' }));
    assert.ok(network);
    const real = realAddresses();
    const realMacs = new Set(real.map((r) => r.mac.toLowerCase()));
    for (const host of network.hosts) {
      const interfaces = new Set(host.interfaces.map((i) => i.name));
      for (const i of host.interfaces) {
        assert.ok(!realMacs.has((i.mac ?? '').toLowerCase()) || i.mac === '00:00:00:00:00:00', `${host.name} ${i.name} has a real interface's MAC ${i.mac}`);
        for (const a of i.addresses) assert.ok(insideSandbox(a.address), `${host.name} ${i.name} has ${a.address}, outside the sandbox`);
      }
      for (const r of host.routes) {
        const what = `${host.name}: ${r.destination} via ${r.gateway} dev ${r.device}`;
        assert.ok(r.device === null || interfaces.has(r.device), `${what}: a device the host does not list`);
        assert.ok(r.gateway === null || insideSandbox(r.gateway), `${what}: a gateway outside the sandbox`);
        if (r.destination !== 'default') {
          const [prefix, bits] = ipaddr.parseCIDR(r.destination.includes('/') ? r.destination : `${r.destination}/${r.destination.includes(':') ? 128 : 32}`);
          assert.ok(insideSandbox(prefix.toString()), `${what}: a destination outside the sandbox`);
          for (const a of real) {
            const addr = ipaddr.parse(a.address);
            assert.ok(addr.kind() !== prefix.kind() || !addr.match(prefix, bits), `${what} covers this machine's ${a.address}`);
          }
        }
      }
    }
    // Only the LAN hosts have a default route, and it points at the router, itself without one.
    const withDefault = network.hosts.filter((h) => h.routes.some((r) => r.destination === 'default')).map((h) => h.name).sort();
    assert.deepEqual(withDefault, ['laptop', 'phone']);
  });
});

describe('two sessions\' networks cannot see each other (over the lab)', { skip }, () => {
  let server: RunningServer;
  let a: Connected;
  let b: Connected;
  before(async () => {
    server = await startLab();
    [a, b] = await Promise.all([connect(server), connect(server)]);
    await Promise.all([a, b].map((s) => ok(s.client.call('network', { action: 'create', topology: 'home' }))));
  });
  after(async () => {
    a?.client.close();
    b?.client.close();
    await server?.close();
  });

  /** A listener on 203.0.113.80:80 on the session's `server` host. */
  async function web(s: Connected): Promise<string> {
    const { sock } = await ok(s.client.call('socket', { type: 'tcp', host: 'server' }));
    await ok(s.client.call('bind', { sock, address: '203.0.113.80', port: 80 }));
    await ok(s.client.call('listen', { sock }));
    await ok(s.client.call('setblocking', { sock, blocking: false }));
    return sock;
  }

  it('B\'s laptop connecting to 203.0.113.80:80 reaches B\'s server, never A\'s; and the other way round', { timeout: 30_000 }, async () => {
    const [webA, webB] = await Promise.all([web(a), web(b)]);
    for (const [from, to, other, otherWeb, toWeb] of [
      [b, 'B', a, webA, webB],
      [a, 'A', b, webB, webA],
    ] as const) {
      const laptop = await ok(from.client.call('socket', { type: 'tcp', host: 'laptop' }));
      const connected = await ok(from.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }));
      assert.equal(connected.local.address, '192.168.1.10');
      const got = await ok(from.client.call('accept', { sock: toWeb }));
      assert.equal(got.peer.address, '203.0.113.1', `${to}'s own server accepted, from ${to}'s router`);
      // The other session's listener has nothing waiting: non-blocking accept says so.
      assert.equal(await errCode(other.client.call('accept', { sock: otherWeb })), 'EAGAIN', `the other session's server saw ${to}'s laptop`);
      // And the bytes go to the one that accepted.
      await ok(from.client.call('send', { sock: laptop.sock, data: `hello from ${to}` }));
      const r = await ok(from.client.call('recv', { sock: got.sock }));
      assert.equal('data' in r ? r.data : null, `hello from ${to}`);
      for (const sock of [laptop.sock, got.sock]) await ok(from.client.call('close', { sock }));
    }
  });

  it('a LAN address listening only in B is refused in A (A\'s phone answers for A)', async () => {
    const inB = await ok(b.client.call('socket', { type: 'tcp', host: 'phone' }));
    await ok(b.client.call('bind', { sock: inB.sock, address: '192.168.1.11', port: 7000 }));
    await ok(b.client.call('listen', { sock: inB.sock }));
    await ok(b.client.call('setblocking', { sock: inB.sock, blocking: false }));
    const probe = await ok(a.client.call('socket', { type: 'tcp', host: 'laptop' }));
    assert.equal(await errCode(a.client.call('connect', { sock: probe.sock, address: '192.168.1.11', port: 7000 })), 'ECONNREFUSED');
    assert.equal(await errCode(b.client.call('accept', { sock: inB.sock })), 'EAGAIN');
    await ok(a.client.call('close', { sock: probe.sock }));
    await ok(b.client.call('close', { sock: inB.sock }));
  });
});
