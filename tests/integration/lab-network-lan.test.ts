/**
 * The LAN and the errors a learner meets on it, over the lab's WebSocket against a real server
 * (issue 16, with issue 19's exactness note): `phone` reaches `laptop` directly (no router, no NAT
 * in between); a switched-off LAN address gives EHOSTUNREACH once ARP has failed, while a host
 * beyond the router that drops the SYNs gives ETIMEDOUT; binding an address the host does not have
 * gives EADDRNOTAVAIL. Every errno is the kernel's own, from real sockets in the session's namespaces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { connect, errCode, ok, startLab, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const skip = needs('unshare', 'ip', 'nft');

describe('the LAN and its errors (over the lab)', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ maxSockets: 32 });
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c?.client.close();
    await server?.close();
  });

  const socket = async (host: 'laptop' | 'phone' | 'router' | 'server') => (await ok(c.client.call('socket', { type: 'tcp', host }))).sock;

  it('phone reaches laptop directly on the LAN: laptop\'s accept sees 192.168.1.11, not the router', async () => {
    const listener = await socket('laptop');
    await ok(c.client.call('bind', { sock: listener, address: '192.168.1.10', port: 5000 }));
    await ok(c.client.call('listen', { sock: listener }));
    const phone = await socket('phone');
    const connected = await ok(c.client.call('connect', { sock: phone, address: '192.168.1.10', port: 5000 }));
    assert.equal(connected.local.address, '192.168.1.11');
    const got = await ok(c.client.call('accept', { sock: listener }));
    assert.equal(got.peer.address, '192.168.1.11', 'no NAT between two hosts of one LAN');
    assert.equal(got.peer.port, connected.local.port);
    assert.deepEqual(got.local, { address: '192.168.1.10', port: 5000 });
    await ok(c.client.call('send', { sock: phone, data: 'hi laptop' }));
    const r = await ok(c.client.call('recv', { sock: got.sock }));
    assert.equal('data' in r ? r.data : null, 'hi laptop');

    // The router forwarded nothing: its connection tracking (when readable) has no entry of this conversation.
    const { network } = await ok(c.client.call('network', { action: 'show' }));
    const router = network!.hosts.find((h) => h.name === 'router')!;
    assert.equal((router.conntrack ?? []).some((e) => JSON.stringify(e).includes('192.168.1.11')), false, 'the router tracked no LAN-to-LAN connection');
    const laptop = network!.hosts.find((h) => h.name === 'laptop')!;
    assert.ok(
      laptop.neighbours.some((n) => n.address === '192.168.1.11' && n.mac !== null),
      'laptop learned phone\'s MAC by ARP on the shared segment',
    );
    for (const sock of [listener, phone, got.sock]) await ok(c.client.call('close', { sock }));
  });

  it('a switched-off LAN address gives EHOSTUNREACH once ARP has failed, not ETIMEDOUT', { timeout: 30_000 }, async (t) => {
    const laptop = await socket('laptop');
    const started = Date.now();
    assert.equal(await errCode(c.client.call('connect', { sock: laptop, address: '192.168.1.99', port: 80 })), 'EHOSTUNREACH');
    t.diagnostic(`EHOSTUNREACH after ${Date.now() - started} ms`);
    const { network } = await ok(c.client.call('network', { action: 'show' }));
    const entry = network!.hosts.find((h) => h.name === 'laptop')!.neighbours.find((n) => n.address === '192.168.1.99');
    assert.ok(entry, 'laptop asked for 192.168.1.99 by ARP');
    assert.equal(entry.mac, null, 'and nobody answered');
    assert.ok(entry.state.some((s) => s === 'FAILED' || s === 'INCOMPLETE'), `neighbour state ${entry.state.join(',')}`);
    await ok(c.client.call('close', { sock: laptop }));
  });

  it('a host beyond the router that drops the SYNs gives ETIMEDOUT (the lowered SYN retries: seconds, not minutes)', { timeout: 30_000 }, async (t) => {
    const web = await socket('server');
    await ok(c.client.call('bind', { sock: web, address: '203.0.113.80', port: 8000 }));
    await ok(c.client.call('listen', { sock: web }));
    const rule = await ok(c.client.call('firewall', { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'tcp', destinationPort: 8000, verdict: 'drop' } }));
    const laptop = await socket('laptop');
    const started = Date.now();
    assert.equal(await errCode(c.client.call('connect', { sock: laptop, address: '203.0.113.80', port: 8000 })), 'ETIMEDOUT');
    t.diagnostic(`ETIMEDOUT after ${Date.now() - started} ms`);
    const listed = await ok(c.client.call('firewall', { host: 'server', action: 'list' }));
    assert.ok(listed.rules.find((r) => r.id === rule.rule!.id)!.packets >= 2, 'the server dropped the SYN and its retries');
    await ok(c.client.call('firewall', { host: 'server', action: 'flush' }));
    for (const sock of [web, laptop]) await ok(c.client.call('close', { sock }));
  });

  it('binding an address the host does not have gives EADDRNOTAVAIL', async () => {
    const cases = [
      ['laptop', '192.168.1.11'], // phone's
      ['laptop', '203.0.113.80'], // the server's, beyond the router
      ['server', '192.168.1.10'],
      ['phone', '2001:db8:1::10'],
    ] as const;
    for (const [host, address] of cases) {
      const family = address.includes(':') ? 6 : 4;
      const { sock } = await ok(c.client.call('socket', { type: 'tcp', family, host }));
      assert.equal(await errCode(c.client.call('bind', { sock, address, port: 80 })), 'EADDRNOTAVAIL', `${host} bind ${address}`);
      await ok(c.client.call('close', { sock }));
    }
    // Its own address binds, port 80 included (the lab's port range does not apply in the sandbox).
    const own = await socket('laptop');
    assert.deepEqual(await ok(c.client.call('bind', { sock: own, address: '192.168.1.10', port: 80 })), { address: '192.168.1.10', port: 80 });
    await ok(c.client.call('close', { sock: own }));
  });
});
