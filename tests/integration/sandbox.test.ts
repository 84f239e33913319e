/**
 * The home network, for real: namespaces, veth pairs, a bridge, a router that masquerades and
 * forwards, firewall rules in nftables, and sockets created inside the hosts and driven through
 * the native engine's own NativeSocket. Every address is the sandbox's; nothing leaves it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { createSandbox, type Sandbox, type SandboxNetwork } from '../../server/sandbox/index.ts';
import { needs } from '../helpers/tools.ts';
import { bounded, codeOf, converse, listen } from './sandbox.shared.ts';

const skip = needs('unshare', 'ip', 'nft');
const T = { timeout: 30_000 };
// Each test listens on its own port: a closed conversation leaves its port in TIME_WAIT.

describe('sandbox network: home', { skip }, () => {
  let sandbox: Sandbox;
  let net: SandboxNetwork;

  before(async () => {
    // One SYN retry: a dropped connection gives up after about 3 s.
    sandbox = createSandbox({ synRetries: 1, rulesPerHost: 3, pingsPerSecond: 20 });
    net = await sandbox.create('home');
  });
  after(async () => {
    await net?.destroy();
    await sandbox?.close();
  });

  test('create describes the hosts, their addresses, routes and links, read from the kernel', () => {
    const view = net.created;
    assert.deepEqual(view.hosts.map((h) => h.name), ['laptop', 'phone', 'router', 'server']);
    const addresses = (host: string) => view.hosts.find((h) => h.name === host)!.interfaces.flatMap((i) => i.addresses.filter((a) => a.scope === 'global').map((a) => `${i.name} ${a.address}/${a.prefixLength}`));
    assert.deepEqual(addresses('laptop'), ['eth0 192.168.1.10/24', 'eth0 2001:db8:1::10/64']);
    assert.deepEqual(addresses('phone'), ['eth0 192.168.1.11/24', 'eth0 2001:db8:1::11/64']);
    assert.deepEqual(addresses('router'), ['lan 192.168.1.1/24', 'lan 2001:db8:1::1/64', 'wan 203.0.113.1/24', 'wan 2001:db8:2::1/64']);
    assert.deepEqual(addresses('server'), ['eth0 203.0.113.80/24', 'eth0 2001:db8:2::80/64']);
    const laptop = view.hosts.find((h) => h.name === 'laptop')!;
    assert.ok(laptop.routes.some((r) => r.destination === 'default' && r.gateway === '192.168.1.1' && r.device === 'eth0'));
    const router = view.hosts.find((h) => h.name === 'router')!;
    assert.equal(router.forwarding, true);
    assert.equal(laptop.forwarding, false);
    assert.deepEqual(router.interfaces.filter((i) => i.master === 'lan').map((i) => i.name).sort(), ['lan-laptop', 'lan-phone']);
    assert.equal(router.interfaces.find((i) => i.name === 'lan')?.kind, 'bridge');
    assert.match(router.nat[0]?.nft ?? '', /masquerade$/);
    assert.equal(view.links.length, 3);
  });

  test('laptop → server crosses the router: the server sees the router (masquerade), the laptop its own address', T, async () => {
    const web = await listen(net, 'server', '203.0.113.80', 80);
    try {
      const seen = await converse(net, 'laptop', web, '203.0.113.80', 80);
      assert.equal(seen.clientLocal.address, '192.168.1.10');
      assert.equal(seen.serverSawPeer.address, '203.0.113.1');
      assert.equal(seen.serverLocal.address, '203.0.113.80');
      assert.equal(seen.serverLocal.port, 80);
      assert.equal(seen.atServer, 'ping from client\n');
      assert.equal(seen.atClient, 'pong from server\n');

      const view = await net.show();
      const router = view.hosts.find((h) => h.name === 'router')!;
      assert.ok(router.conntrack, 'the router shows its conntrack table');
      const entry = router.conntrack!.find((c) => c.original.source === '192.168.1.10' && c.original.destinationPort === 80);
      assert.ok(entry, 'the connection is in the router\'s conntrack table');
      assert.equal(entry!.reply.destination, '203.0.113.1');
      assert.equal(entry!.sourceNat, true);
      assert.ok(router.nat[0]!.packets >= 1, 'the masquerade rule counted the connection');
      const laptop = view.hosts.find((h) => h.name === 'laptop')!;
      assert.ok(laptop.neighbours.some((n) => n.address === '192.168.1.1' && n.mac === '02:00:c0:a8:01:01'), 'the laptop learned the router\'s MAC by ARP');
    } finally {
      web.close();
    }
  });

  test('over IPv6 there is no NAT: the server sees the laptop\'s own address', T, async () => {
    const web = await listen(net, 'server', '2001:db8:2::80', 80, 6);
    try {
      const seen = await converse(net, 'laptop', web, '2001:db8:2::80', 80);
      assert.equal(seen.clientLocal.address, '2001:db8:1::10');
      assert.equal(seen.serverSawPeer.address, '2001:db8:1::10');
    } finally {
      web.close();
    }
  });

  test('phone reaches laptop directly on the LAN', T, async () => {
    const onLaptop = await listen(net, 'laptop', '192.168.1.10', 5000);
    try {
      const seen = await converse(net, 'phone', onLaptop, '192.168.1.10', 5000);
      assert.equal(seen.serverSawPeer.address, '192.168.1.11');
      assert.equal(seen.clientLocal.address, '192.168.1.11');
    } finally {
      onLaptop.close();
    }
  });

  test('the server cannot reach the laptop until the router forwards a port; then via 203.0.113.1', T, async () => {
    const onLaptop = await listen(net, 'laptop', '192.168.1.10', 8000);
    try {
      const direct = await net.socket('server', 'tcp', 4);
      assert.equal(await codeOf(direct.connect('192.168.1.10', 8000, bounded())), 'ENETUNREACH');
      direct.close();
      const before = await net.socket('server', 'tcp', 4);
      assert.equal(await codeOf(before.connect('203.0.113.1', 8080, bounded())), 'ECONNREFUSED', 'nothing answers on the router\'s port yet');
      before.close();

      const added = await net.forward({ action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 8000 } });
      assert.ok(added.forward);
      assert.deepEqual(added.forward.nft, [
        'nft add rule ip nat prerouting iifname "wan" tcp dport 8080 counter dnat to 192.168.1.10:8000',
        'nft insert rule inet lab forward iifname "wan" ip daddr 192.168.1.10 tcp dport 8000 ct status dnat counter accept',
      ]);
      const seen = await converse(net, 'server', onLaptop, '203.0.113.1', 8080);
      assert.equal(seen.serverSawPeer.address, '203.0.113.80', 'a forward changes the destination, not the source');
      assert.equal(seen.serverLocal.port, 8000);
      assert.equal(seen.atClient, 'pong from server\n');
      const listed = await net.forward({ action: 'list' });
      assert.ok(listed.forwards[0]!.packets >= 1, 'the DNAT rule counted the connection');
      const routerRules = await net.firewall('router', { action: 'list' });
      assert.equal(routerRules.rules[0]?.origin, 'forward', 'the forward\'s accept is first in the router\'s forward chain');
      assert.equal(await codeOf(net.firewall('router', { action: 'delete', id: routerRules.rules[0]!.id })), 'E_BAD_REQUEST');

      assert.equal(await codeOf(net.forward({ action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.11', lanPort: 1 } })), 'E_BAD_REQUEST', 'the port is taken');
      assert.equal(await codeOf(net.forward({ action: 'add', forward: { protocol: 'tcp', wanPort: 8081, lanAddress: '203.0.113.80', lanPort: 1 } })), 'E_BAD_REQUEST', 'not a LAN address');

      await net.forward({ action: 'delete', id: added.forward.id });
      const afterDelete = await net.socket('server', 'tcp', 4);
      assert.equal(await codeOf(afterDelete.connect('203.0.113.1', 8080, bounded())), 'ECONNREFUSED');
      afterDelete.close();
      assert.deepEqual((await net.forward({ action: 'list' })).forwards, []);
      assert.deepEqual((await net.firewall('router', { action: 'list' })).rules, []);
    } finally {
      onLaptop.close();
    }
  });

  describe('a firewall on the server\'s input', () => {
    test('drop: the connect times out (ETIMEDOUT), and the rule counts the SYNs', T, async () => {
      const web = await listen(net, 'server', '203.0.113.80', 81);
      try {
        const added = await net.firewall('server', { action: 'add', rule: { chain: 'input', protocol: 'tcp', destinationPort: 81, verdict: 'drop' } });
        assert.equal(added.rule?.nft, 'nft add rule inet lab input tcp dport 81 counter drop');
        const client = await net.socket('laptop', 'tcp', 4);
        assert.equal(await codeOf(client.connect('203.0.113.80', 81, bounded(20_000))), 'ETIMEDOUT');
        client.close();
        const listed = await net.firewall('server', { action: 'list' });
        assert.equal(listed.rules.length, 1);
        assert.ok(listed.rules[0]!.packets >= 2, `the SYN and its retry were dropped (${listed.rules[0]!.packets} packets)`);
      } finally {
        await net.firewall('server', { action: 'flush' });
        web.close();
      }
    });

    test('reject: a TCP reset is ECONNREFUSED, an ICMP host-unreachable is EHOSTUNREACH', T, async () => {
      const web = await listen(net, 'server', '203.0.113.80', 82);
      try {
        const rule = { chain: 'input', protocol: 'tcp', destinationPort: 82, verdict: 'reject' } as const;
        await net.firewall('server', { action: 'add', rule: { ...rule, rejectWith: 'tcp-reset' } });
        const a = await net.socket('laptop', 'tcp', 4);
        assert.equal(await codeOf(a.connect('203.0.113.80', 82, bounded())), 'ECONNREFUSED');
        a.close();
        await net.firewall('server', { action: 'delete', rule: { ...rule, rejectWith: 'tcp-reset' } });

        await net.firewall('server', { action: 'add', rule: { ...rule, rejectWith: 'host-unreachable' } });
        const b = await net.socket('laptop', 'tcp', 4);
        assert.equal(await codeOf(b.connect('203.0.113.80', 82, bounded())), 'EHOSTUNREACH');
        b.close();
      } finally {
        await net.firewall('server', { action: 'flush' });
        web.close();
      }
    });

    test('accept established, drop the rest: the server\'s own connections get their replies, new ones in do not', T, async () => {
      const onLaptop = await listen(net, 'laptop', '192.168.1.10', 8001);
      const forward = await net.forward({ action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 8001 } });
      try {
        await net.firewall('server', { action: 'add', rule: { chain: 'input', state: ['established', 'related'], verdict: 'accept' } });
        const listed = await net.firewall('server', { action: 'add', rule: { chain: 'input', protocol: 'tcp', verdict: 'drop' } });
        assert.deepEqual(listed.rules.map((r) => r.nft), [
          'nft add rule inet lab input ct state established,related counter accept',
          'nft add rule inet lab input meta l4proto tcp counter drop',
        ]);
        const seen = await converse(net, 'server', onLaptop, '203.0.113.1', 8080);
        assert.equal(seen.atClient, 'pong from server\n', 'the replies came back in');
        const counted = await net.firewall('server', { action: 'list' });
        assert.ok(counted.rules[0]!.packets >= 2, 'replies passed the established rule');
        assert.equal(counted.rules[1]!.packets, 0, 'nothing was dropped');

        const inbound = await net.socket('laptop', 'tcp', 4);
        const web = await listen(net, 'server', '203.0.113.80', 83);
        const nonBlocking = { blocking: false, signal: new AbortController().signal, onBlocked: () => {} };
        assert.equal(await codeOf(inbound.connect('203.0.113.80', 83, nonBlocking)), 'EINPROGRESS');
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(inbound.remoteAddress(), null, 'the new connection in is not established');
        inbound.close();
        web.close();
      } finally {
        await net.firewall('server', { action: 'flush' });
        await net.forward({ action: 'delete', id: forward.forward!.id });
        onLaptop.close();
      }
    });

    test('rules per host are capped; bad rules and unknown hosts are refused before anything runs', T, async () => {
      try {
        for (let port = 1; port <= 3; port++) {
          await net.firewall('phone', { action: 'add', rule: { chain: 'input', protocol: 'udp', destinationPort: port, verdict: 'drop' } });
        }
        assert.equal(await codeOf(net.firewall('phone', { action: 'add', rule: { chain: 'input', verdict: 'drop' } })), 'E_LIMIT');
        assert.equal(await codeOf(net.firewall('phone', { action: 'delete', id: 999 })), 'E_BAD_REQUEST');
      } finally {
        assert.deepEqual((await net.firewall('phone', { action: 'flush' })).rules, []);
      }
      const bad: unknown = { chain: 'input', verdict: 'drop; flush ruleset' };
      // @ts-expect-error: a learner's malformed rule, as it may arrive from a browser
      assert.equal(await codeOf(net.firewall('server', { action: 'add', rule: bad })), 'E_BAD_REQUEST');
      // @ts-expect-error: no such host
      assert.equal(await codeOf(net.firewall('printer', { action: 'list' })), 'E_BAD_REQUEST');
      // @ts-expect-error: no such host
      assert.equal(await codeOf(net.socket('mainframe', 'tcp', 4)), 'E_BAD_REQUEST');
    });
  });

  test('ping crosses the router; an address nobody has times out', T, async () => {
    const echoes: string[] = [];
    const ok = await net.ping('laptop', '203.0.113.80', { count: 2, intervalMs: 100 }, (e) => echoes.push(e.status));
    assert.equal(ok.received, 2);
    assert.deepEqual(echoes, ['reply', 'reply']);
    assert.equal(ok.echoes[0]!.from, '203.0.113.80');
    assert.equal(ok.echoes[0]!.bytes, 64);

    const v6 = await net.ping('phone', '2001:db8:2::80', { count: 1 });
    assert.equal(v6.echoes[0]!.status, 'reply');

    const nobody = await net.ping('laptop', '203.0.113.99', { count: 1, timeoutMs: 500 });
    assert.deepEqual(nobody.echoes.map((e) => e.status), ['timeout']);
    assert.equal(nobody.received, 0);

    const noRoute = await net.ping('server', '192.168.1.10', { count: 1 });
    assert.deepEqual(noRoute.echoes.map((e) => [e.status, e.errno]), [['error', 'ENETUNREACH']]);

    assert.equal(await codeOf(net.ping('laptop', 'example.com')), 'E_BAD_REQUEST');
  });

  test('each host has its own socket table (its /proc/net), matched to our fds by inode', T, async () => {
    const web = await listen(net, 'server', '203.0.113.80', 84);
    try {
      const rows = await net.kernelTable('server');
      const row = rows.find((r) => r.inode === web.socket.inode());
      assert.ok(row, 'the listener is in the server\'s table');
      assert.equal(row!.state, 'LISTEN');
      assert.deepEqual(row!.local, { address: '203.0.113.80', port: 84 });
      const laptopRows = await net.kernelTable('laptop');
      assert.equal(laptopRows.find((r) => r.inode === web.socket.inode()), undefined, 'not in the laptop\'s table');
    } finally {
      web.close();
    }
  });

  test('a sandbox socket is an ordinary adopted socket: the addon owns it until it is closed', T, async () => {
    const addon = loadNativeAddon()!;
    const before = addon.ownedCount();
    const s = await net.socket('phone', 'udp', 4);
    assert.equal(addon.ownedCount(), before + 1);
    // Like the lab's own sockets: non-blocking and close-on-exec (the kernel's flags, in octal).
    const flags = Number.parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${s.fd}`, 'utf8'))![1]!, 8);
    assert.ok(flags & 0o4000, 'O_NONBLOCK');
    assert.ok(flags & 0o2000000, 'O_CLOEXEC');
    assert.equal(net.openSockets >= 1, true);
    await s.bind('192.168.1.11', 53);
    assert.deepEqual(s.localAddress(), { address: '192.168.1.11', port: 53 });
    s.close();
    assert.equal(addon.ownedCount(), before);
  });
});

describe('sandbox network: limits', { skip }, () => {
  test('networks per server are capped (E_LIMIT) and a destroyed one frees its place', T, async () => {
    const sandbox = createSandbox({ maxNetworks: 2 });
    try {
      const [first] = await Promise.all([sandbox.create('home'), sandbox.create('home')]);
      assert.equal(sandbox.networkCount, 2);
      assert.equal(await codeOf(sandbox.create('home')), 'E_LIMIT');
      await first!.destroy();
      assert.equal(await codeOf(first!.show()), 'E_NO_NETWORK');
      const third = await sandbox.create('home');
      assert.equal(third.ended, null);
      // @ts-expect-error: no such topology
      assert.equal(await codeOf(sandbox.create('office')), 'E_BAD_REQUEST');
    } finally {
      await sandbox.close();
    }
  });
});
