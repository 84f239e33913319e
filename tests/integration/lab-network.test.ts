/**
 * The sandbox network through the lab, over the WebSocket (issue 16): a session creates `home`,
 * makes sockets on its hosts with the ordinary ops, sees masquerade, a port forward and firewall
 * verdicts as real results and errnos, pings, and loses everything when it destroys the network or
 * ends. Real namespaces and real sockets; every packet stays inside the session's namespaces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { ClientEvent } from '../../server/protocol/client.ts';
import type { EchoEvent } from '../../server/protocol/index.ts';
import { NO_USERNS_SWITCH, sandboxStartLine } from '../../server/sandbox/index.ts';
import { connect, errCode, fdCount, kernelRows, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const skip = needs('unshare', 'ip', 'nft');

/** A recv's text, or null at end of stream. */
const text = (r: { data: string } | { eof: true }) => ('data' in r ? r.data : null);

const isEcho = (e: ClientEvent): e is EchoEvent => e.event === 'echo';

describe('the sandbox network over the lab protocol', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab();
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('says it is available, and refuses sandbox ops before a network exists (E_NO_NETWORK)', async () => {
    assert.equal(c.hello.network?.available, true);
    assert.equal(c.hello.network?.maxNetworks, 300);
    assert.equal(await errCode(c.client.call('socket', { type: 'tcp', host: 'laptop' })), 'E_NO_NETWORK');
    assert.equal(await errCode(c.client.call('ping', { host: 'laptop', address: '192.168.1.1' })), 'E_NO_NETWORK');
    assert.equal(await errCode(c.client.call('network', { action: 'show' })), 'E_NO_NETWORK');
  });

  it('creates home: four hosts with their addresses; one network per session', async () => {
    const { network } = await ok(c.client.call('network', { action: 'create', topology: 'home' }));
    assert.ok(network);
    assert.deepEqual(network.hosts.map((h) => h.name).sort(), ['laptop', 'phone', 'router', 'server']);
    const addresses = (name: string) => network.hosts.find((h) => h.name === name)!.interfaces.flatMap((i) => i.addresses.map((a) => a.address));
    assert.ok(addresses('laptop').includes('192.168.1.10'));
    assert.ok(addresses('router').includes('203.0.113.1'));
    assert.ok(addresses('server').includes('203.0.113.80'));
    assert.equal(await errCode(c.client.call('network', { action: 'create', topology: 'home' })), 'E_LIMIT');
  });

  it('server listens on 203.0.113.80:80; laptop connects through the router\'s NAT; bytes both ways', async () => {
    const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server', actor: 'server' }));
    // Port 80 and an address outside the loopback policy are fine on a sandbox host.
    assert.deepEqual(await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 })), { address: '203.0.113.80', port: 80 });
    await ok(c.client.call('listen', { sock: web.sock }));
    const laptop = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop', actor: 'laptop' }));
    const connected = await ok(c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }));
    assert.equal(connected.local.address, '192.168.1.10');
    const accepted = await ok(c.client.call('accept', { sock: web.sock }));
    assert.equal(accepted.peer.address, '203.0.113.1', 'the server sees the router\'s WAN address (masquerade)');
    assert.deepEqual(accepted.local, { address: '203.0.113.80', port: 80 });

    await ok(c.client.call('send', { sock: laptop.sock, data: 'GET / HTTP/1.0\r\n\r\n' }));
    assert.equal(text(await ok(c.client.call('recv', { sock: accepted.sock }))), 'GET / HTTP/1.0\r\n\r\n');
    await ok(c.client.call('send', { sock: accepted.sock, data: 'HTTP/1.0 200 OK\r\n\r\n' }));
    assert.equal(text(await ok(c.client.call('recv', { sock: laptop.sock }))), 'HTTP/1.0 200 OK\r\n\r\n');

    // The kernel view: each socket's row comes from its own host's table.
    const rows = await kernelRows(c);
    const row = (sock: string) => rows.find((r) => r.sock === sock && r.relation === 'own');
    assert.deepEqual([row(web.sock)?.host, row(web.sock)?.state, row(web.sock)?.local.port], ['server', 'LISTEN', 80]);
    assert.deepEqual([row(laptop.sock)?.host, row(laptop.sock)?.state, row(laptop.sock)?.local.address], ['laptop', 'ESTABLISHED', '192.168.1.10']);
    assert.deepEqual([row(accepted.sock)?.host, row(accepted.sock)?.remote.address], ['server', '203.0.113.1']);

    for (const sock of [laptop.sock, accepted.sock, web.sock]) await ok(c.client.call('close', { sock }));
  });

  it('the loopback policy still governs this machine\'s sockets', async () => {
    const local = await ok(c.client.call('socket', { type: 'tcp' }));
    assert.equal(await errCode(c.client.call('bind', { sock: local.sock, address: '127.0.0.1', port: 80 })), 'E_POLICY');
    assert.equal(await errCode(c.client.call('connect', { sock: local.sock, address: '203.0.113.80', port: 80 })), 'E_POLICY');
    await ok(c.client.call('close', { sock: local.sock }));
  });

  it('a forward on the router makes 192.168.1.10 reachable from the server via 203.0.113.1', async () => {
    const lan = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop' }));
    await ok(c.client.call('bind', { sock: lan.sock, address: '192.168.1.10', port: 8080 }));
    await ok(c.client.call('listen', { sock: lan.sock }));
    const before = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
    assert.equal(await errCode(c.client.call('connect', { sock: before.sock, address: '203.0.113.1', port: 8080 })), 'ECONNREFUSED');

    const added = await ok(c.client.call('forward', { action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 8080 } }));
    assert.ok(added.forward && added.forward.nft.length > 0, 'the forward comes back with its nft lines');
    const viaRouter = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
    await ok(c.client.call('connect', { sock: viaRouter.sock, address: '203.0.113.1', port: 8080 }));
    const got = await ok(c.client.call('accept', { sock: lan.sock }));
    assert.equal(got.peer.address, '203.0.113.80');
    assert.deepEqual(got.local, { address: '192.168.1.10', port: 8080 });

    const flushed = await ok(c.client.call('forward', { action: 'flush' }));
    assert.deepEqual(flushed.forwards, []);
    for (const sock of [lan.sock, before.sock, viaRouter.sock, got.sock]) await ok(c.client.call('close', { sock }));
  });

  it('a firewall on the server\'s input changes connect\'s errno: reject → ECONNREFUSED, drop → ETIMEDOUT', async () => {
    const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
    await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 81 }));
    await ok(c.client.call('listen', { sock: web.sock }));

    const reject = await ok(
      c.client.call('firewall', { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'tcp', destinationPort: 81, verdict: 'reject', rejectWith: 'tcp-reset' } }),
    );
    assert.ok(reject.rule && /tcp dport 81/.test(reject.rule.nft) && /reject/.test(reject.rule.nft), reject.rule?.nft);
    const refused = await ok(c.client.call('socket', { type: 'tcp', host: 'phone' }));
    assert.equal(await errCode(c.client.call('connect', { sock: refused.sock, address: '203.0.113.80', port: 81 })), 'ECONNREFUSED');

    await ok(c.client.call('firewall', { host: 'server', action: 'delete', id: reject.rule!.id }));
    const drop = await ok(c.client.call('firewall', { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'tcp', destinationPort: 81, verdict: 'drop' } }));
    const dropped = await ok(c.client.call('socket', { type: 'tcp', host: 'phone' }));
    // The sandbox lowers the SYN retries: this gives up in about 7 s, not two minutes.
    assert.equal(await errCode(c.client.call('connect', { sock: dropped.sock, address: '203.0.113.80', port: 81 })), 'ETIMEDOUT');
    const listed = await ok(c.client.call('firewall', { host: 'server', action: 'list' }));
    assert.ok(listed.rules.find((r) => r.id === drop.rule!.id)!.packets >= 1, 'the drop rule counted the SYNs');

    await ok(c.client.call('firewall', { host: 'server', action: 'flush' }));
    const after = await ok(c.client.call('socket', { type: 'tcp', host: 'phone' }));
    await ok(c.client.call('connect', { sock: after.sock, address: '203.0.113.80', port: 81 }));
    for (const sock of [web.sock, refused.sock, dropped.sock, after.sock]) await ok(c.client.call('close', { sock }));
  });

  it('a nonsense rule reaches the sandbox and comes back E_BAD_REQUEST in its step', async () => {
    const code = await errCode(c.client.call('firewall', { host: 'server', action: 'add', rule: { chain: 'input', source: 'example.com', verdict: 'drop' } }));
    assert.equal(code, 'E_BAD_REQUEST');
  });

  it('ping across the router works, each echo an event of the ping\'s step; 203.0.113.99 times out', async () => {
    const id = 'ping-server';
    const result = await ok(c.client.call('ping', { host: 'laptop', address: '203.0.113.80', count: 2 }, id));
    assert.deepEqual([result.sent, result.received], [2, 2]);
    assert.deepEqual(result.echoes.map((e) => [e.status, e.from]), [['reply', '203.0.113.80'], ['reply', '203.0.113.80']]);
    const step = c.steps().find((s) => s.id === id && s.status === 'ok')!;
    const echoes = c.events.filter(isEcho).filter((e) => e.id === id);
    assert.equal(echoes.length, 2);
    assert.ok(echoes.every((e) => e.seq === step.seq && e.host === 'laptop'));
    assert.ok(c.steps().some((s) => s.id === id && s.status === 'blocked'), 'the ping is blocked while it runs');

    const nobody = await ok(c.client.call('ping', { host: 'laptop', address: '203.0.113.99', count: 1 }));
    assert.deepEqual(nobody.echoes.map((e) => e.status), ['timeout']);
    assert.equal(nobody.received, 0);
  });

  it('show reads the network live (the server\'s rules, the router\'s NAT)', async () => {
    await ok(c.client.call('firewall', { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'udp', destinationPort: 53, verdict: 'drop' } }));
    const { network } = await ok(c.client.call('network', { action: 'show' }));
    const host = (name: string) => network!.hosts.find((h) => h.name === name)!;
    assert.equal(host('server').firewall.filter((r) => r.origin === 'firewall').length, 1);
    assert.ok(host('router').nat.some((n) => n.kind === 'masquerade'));
    assert.equal(host('router').forwarding, true);
  });

  it('destroy closes the network\'s sockets and namespaces; a new network can follow', async () => {
    const sock = await ok(c.client.call('socket', { type: 'udp', host: 'phone' }));
    const loopback = await ok(c.client.call('socket', { type: 'udp' }));
    assert.equal((await server.sandbox!.stats()).namespaces, 4);
    assert.deepEqual(await ok(c.client.call('network', { action: 'destroy' })), { network: null });
    assert.equal(await errCode(c.client.call('recv', { sock: sock.sock })), 'E_NO_SOCKET');
    await ok(c.client.call('setblocking', { sock: loopback.sock, blocking: false }));
    assert.equal(await errCode(c.client.call('firewall', { host: 'server', action: 'list' })), 'E_NO_NETWORK');
    await waitUntil(async () => (await server.sandbox!.stats()).namespaces === 0, 5000, 'the namespaces to go');
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
    await ok(c.client.call('close', { sock: loopback.sock }));
  });
});

describe('the network ends with its session', { skip }, () => {
  it('closing the tab leaves no namespaces and no fds behind', async () => {
    const server = await startLab();
    try {
      // Warm up: the helper and its fds live as long as the server, whatever the sessions do.
      const first = await connect(server);
      await ok(first.client.call('network', { action: 'create', topology: 'home' }));
      first.client.close();
      await waitUntil(async () => (await server.sandbox!.stats()).networks === 0, 5000, 'the first network to go');
      const fdsBefore = fdCount();

      for (let round = 0; round < 3; round++) {
        const c = await connect(server);
        await ok(c.client.call('network', { action: 'create', topology: 'home' }));
        const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
        await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 }));
        await ok(c.client.call('listen', { sock: web.sock }));
        const laptop = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop' }));
        await ok(c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }));
        assert.equal((await server.sandbox!.stats()).namespaces, 4);
        c.client.close();
        await waitUntil(async () => server.hub.sessionCount === 0 && (await server.sandbox!.stats()).namespaces === 0, 5000, 'the session and its namespaces to go');
      }
      await waitUntil(() => fdCount() <= fdsBefore, 5000, () => `fds back to ${fdsBefore} (now ${fdCount()})`);
    } finally {
      await server.close();
    }
  });
});

describe('without a sandbox network', () => {
  it('with user namespaces unavailable (the test switch), the start line and E_UNSUPPORTED say why', { skip }, async () => {
    process.env[NO_USERNS_SWITCH] = '1';
    let server: RunningServer;
    try {
      server = await startLab();
    } finally {
      delete process.env[NO_USERNS_SWITCH];
    }
    try {
      assert.equal(server.sandboxSupport.supported, false);
      assert.match(sandboxStartLine(server.sandboxSupport, 300), /sandbox network: off: .*namespace.*simulated by SOCKETLAB_SANDBOX_NO_USERNS/);
      const c = await connect(server);
      assert.equal(c.hello.network?.available, false);
      assert.match(c.hello.network?.reason ?? '', /namespace could not be set up/);
      const r = await c.client.call('network', { action: 'create', topology: 'home' });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'E_UNSUPPORTED');
      assert.match(r.error.message, /not available here: .*namespace could not be set up/);
      c.client.close();
    } finally {
      await server.close();
    }
  });

  it('switched off by the host (--sandbox-networks 0): E_UNSUPPORTED names the setting', async () => {
    const server = await startLab({ sandboxNetworks: 0 });
    try {
      assert.equal(server.sandbox, null);
      const c = await connect(server);
      assert.equal(c.hello.network?.available, false);
      const r = await c.client.call('network', { action: 'create', topology: 'home' });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'E_UNSUPPORTED');
      assert.match(r.error.message, /--sandbox-networks 0/);
      c.client.close();
    } finally {
      await server.close();
    }
  });
});
