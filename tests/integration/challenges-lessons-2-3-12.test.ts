/**
 * The challenges of lessons 2 (networks), 3 (protocols) and 12 (how the web works), issue 18,
 * over the real lab and the real sandbox: each is checked with the network left wrong, where it
 * must fail and say what the kernel saw, and then put right with ordinary lab calls, where it must
 * pass. The checks are told nothing of those calls: they read neighbour tables, socket queues,
 * conntrack and a real HTTP exchange.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../../server/app.ts';
import type { CheckResult } from '../../server/protocol/index.ts';
import { connect, fdCount, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const skip = needs('unshare', 'ip', 'nft');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function named(result: CheckResult, prefix: string) {
  const found = result.checks.find((c) => c.name.startsWith(prefix));
  assert.ok(found, `no check named "${prefix}…" in ${JSON.stringify(result.checks)}`);
  return found;
}

describe('challenges of lessons 2, 3 and 12, checked in the sandbox', { skip, timeout: 120_000 }, () => {
  let server: RunningServer;
  let c: Connected;
  const check = (challenge: CheckResult['challenge']) => ok(c.client.call('check', { challenge }));
  const socket = async (host: 'laptop' | 'phone' | 'server', type: 'tcp' | 'udp') => (await ok(c.client.call('socket', { type, host }))).sock;
  before(async () => {
    server = await startLab();
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it("lesson 2: phone's neighbour table must hold the router's MAC, its next hop to server", async () => {
    const fresh = await check('phone-next-hop');
    assert.equal(fresh.passed, false);
    assert.match(named(fresh, "phone's routing table").detail, /^default via 192\.168\.1\.1/);
    assert.equal(named(fresh, "phone's neighbour table").detail, "phone's neighbour table is empty: phone has sent nothing yet");

    // A neighbour on the LAN is not the way out.
    const lan = await ok(c.client.call('ping', { host: 'phone', address: '192.168.1.10', count: 1 }));
    assert.equal(lan.received, 1);
    const neighbourOnly = await check('phone-next-hop');
    assert.equal(neighbourOnly.passed, false);
    assert.match(named(neighbourOnly, "phone's neighbour table").detail, /phone knows 192\.168\.1\.10 \(laptop\), but not 192\.168\.1\.1/);

    // Anything sent beyond the router makes phone ARP for the router: the server's MAC never appears.
    await ok(c.client.call('ping', { host: 'phone', address: '203.0.113.80', count: 1 }));
    const right = await check('phone-next-hop');
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    const { network: view } = await ok(c.client.call('network', { action: 'show' }));
    assert.ok(view);
    const routerLan = view.hosts.find((h) => h.name === 'router')!.interfaces.find((i) => i.addresses.some((a) => a.address === '192.168.1.1'))!;
    assert.ok(routerLan.mac);
    assert.equal(named(right, "phone's neighbour table").detail.split(',')[0], `192.168.1.1 is at ${routerLan.mac}`);
    assert.match(named(right, 'that MAC address').detail, new RegExp(`^router's interface ${routerLan.name} has ${routerLan.mac}: the same$`));
    const phone = view.hosts.find((h) => h.name === 'phone')!;
    assert.equal(phone.neighbours.some((n) => n.address === '203.0.113.80'), false, 'phone never learns the server\'s MAC');
  });

  it('lesson 3: exactly 9 unread TCP bytes from laptop on server, and a UDP datagram waiting there', async () => {
    const fresh = await check('bytes-left-on-server');
    assert.equal(fresh.passed, false);
    assert.match(named(fresh, "server's kernel holds exactly 9").detail, /^server has no TCP connection from 203\.0\.113\.1/);
    assert.equal(named(fresh, 'a UDP socket on server').detail, 'server has no UDP socket: bind one on server, then send it a datagram from laptop');

    const listener = await socket('server', 'tcp');
    await ok(c.client.call('bind', { sock: listener, address: '0.0.0.0', port: 5000 }));
    await ok(c.client.call('listen', { sock: listener }));

    // 4 + 9 bytes on one connection: TCP counts bytes, not sends.
    const first = await socket('laptop', 'tcp');
    await ok(c.client.call('connect', { sock: first, address: '203.0.113.80', port: 5000 }));
    await ok(c.client.call('send', { sock: first, data: 'abcd' }));
    await ok(c.client.call('send', { sock: first, data: '123456789' }));
    await waitUntil(async () => (await check('bytes-left-on-server')).checks[0]!.detail.includes('13 byte(s) unread'), 3000, '13 bytes unread on server');
    const thirteen = await check('bytes-left-on-server');
    assert.equal(thirteen.passed, false);
    assert.match(named(thirteen, "server's kernel holds exactly 9").detail, /ESTABLISHED, 13 byte\(s\) unread: TCP keeps no boundaries/);

    // 9 bytes, but from phone: the router's conntrack tells them apart, though server sees one address.
    const fromPhone = await socket('phone', 'tcp');
    await ok(c.client.call('connect', { sock: fromPhone, address: '203.0.113.80', port: 5000 }));
    await ok(c.client.call('send', { sock: fromPhone, data: 'phone9byt' }));
    await waitUntil(async () => named(await check('bytes-left-on-server'), "server's kernel holds exactly 9").passed, 3000, '9 bytes from phone unread');
    const phones = await check('bytes-left-on-server');
    assert.equal(phones.passed, false);
    assert.match(named(phones, "the router's conntrack").detail, /is 192\.168\.1\.11:\d+: not laptop$/);
    await ok(c.client.call('close', { sock: fromPhone }));

    const nine = await socket('laptop', 'tcp');
    await ok(c.client.call('connect', { sock: nine, address: '203.0.113.80', port: 5000 }));
    await ok(c.client.call('send', { sock: nine, data: 'laptop9by' }));
    await waitUntil(async () => named(await check('bytes-left-on-server'), "the router's conntrack").passed, 3000, 'laptop\'s 9 bytes seen');
    const tcpOnly = await check('bytes-left-on-server');
    assert.equal(tcpOnly.passed, false, 'no UDP yet');
    assert.match(named(tcpOnly, "the router's conntrack").detail, /^203\.0\.113\.1:\d+ is 192\.168\.1\.10:\d+ behind the router$/);

    const udp = await socket('server', 'udp');
    await ok(c.client.call('bind', { sock: udp, address: '0.0.0.0', port: 5001 }));
    assert.match(named(await check('bytes-left-on-server'), 'a UDP socket on server').detail, /0\.0\.0\.0:5001\) have nothing waiting/);
    const sender = await socket('laptop', 'udp');
    await ok(c.client.call('sendto', { sock: sender, data: 'laptop9by', address: '203.0.113.80', port: 5001 }));
    await waitUntil(async () => (await check('bytes-left-on-server')).passed, 3000, 'all three checks pass');
    const right = await check('bytes-left-on-server');
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    assert.match(named(right, 'a UDP socket on server').detail, /^0\.0\.0\.0:5001: \d+ bytes of kernel memory charged/);

    // Reading the datagram on server empties the queue: the check looks at the kernel, not at what was sent.
    const got = await ok(c.client.call('recvfrom', { sock: udp }));
    assert.equal(got.data, 'laptop9by');
    assert.equal(got.from.address, '203.0.113.1');
    const read = await check('bytes-left-on-server');
    assert.equal(read.passed, false);
    assert.equal(named(read, 'a UDP socket on server').passed, false);
    for (const s of [listener, first, nine, udp, sender]) await ok(c.client.call('close', { sock: s }));
  });

  it('lesson 12: a real GET / from laptop must get the status 200 from server port 80', async () => {
    const nobody = await check('serve-http-200');
    assert.equal(nobody.passed, false);
    assert.match(named(nobody, 'laptop connects to 203.0.113.80:80').detail, /^ECONNREFUSED/);

    const web = await socket('server', 'tcp');
    await ok(c.client.call('bind', { sock: web, address: '203.0.113.80', port: 80 }));
    await ok(c.client.call('listen', { sock: web }));

    // A server made by hand: the first check leaves its request waiting, the learner answers 404.
    const waiting = await check('serve-http-200');
    assert.equal(waiting.passed, false);
    assert.equal(named(waiting, 'laptop connects').passed, true);
    assert.match(named(waiting, "server answers laptop's GET / within 3 s").detail, /^no answer yet/);
    const conn = await ok(c.client.call('accept', { sock: web }));
    assert.equal(conn.peer.address, '203.0.113.1', 'the request crossed the router');
    const request = await ok(c.client.call('recv', { sock: conn.sock }));
    assert.ok('data' in request);
    assert.equal(request.data, 'GET / HTTP/1.1\r\nHost: 203.0.113.80\r\nConnection: close\r\n\r\n');
    await ok(c.client.call('send', { sock: conn.sock, data: 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' }));
    const notFound = await check('serve-http-200');
    assert.equal(notFound.passed, false);
    assert.equal(named(notFound, "laptop's request from the last check is still open").passed, true);
    assert.equal(named(notFound, 'the answer starts with an HTTP status line').detail, '"HTTP/1.1 404 Not Found"');
    assert.match(named(notFound, 'the status is 200').detail, /^status 404/);
    await ok(c.client.call('close', { sock: conn.sock }));

    // Not HTTP at all.
    const garbage = check('serve-http-200');
    const g = await ok(c.client.call('accept', { sock: web }));
    await ok(c.client.call('send', { sock: g.sock, data: 'hello there\n' }));
    const notHttp = await garbage;
    assert.equal(notHttp.passed, false);
    assert.match(named(notHttp, 'the answer starts with an HTTP status line').detail, /"hello there" is not one/);
    await ok(c.client.call('close', { sock: g.sock }));

    // Answered while the check waits: it passes at one press.
    const pending = check('serve-http-200');
    const served = await ok(c.client.call('accept', { sock: web }));
    const req = await ok(c.client.call('recv', { sock: served.sock }));
    assert.ok('data' in req);
    assert.match(req.data, /^GET \/ HTTP\/1\.1\r\n/);
    await ok(c.client.call('send', { sock: served.sock, data: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nhi\n' }));
    const right = await pending;
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    assert.equal(named(right, 'the status is 200').detail, 'status 200');
    await ok(c.client.call('close', { sock: served.sock }));
    await ok(c.client.call('close', { sock: web }));
  });

  it('a request kept waiting ends with the network: no socket is left behind', async () => {
    const before = fdCount();
    const web = await socket('server', 'tcp');
    await ok(c.client.call('bind', { sock: web, address: '0.0.0.0', port: 80 }));
    await ok(c.client.call('listen', { sock: web }));
    const waiting = await check('serve-http-200');
    assert.match(named(waiting, "server answers laptop's GET /").detail, /^no answer yet/);
    await ok(c.client.call('network', { action: 'destroy' }));
    await waitUntil(() => fdCount() <= before, 5000, `fds back to ${before} (now ${fdCount()})`);
  });

  it('lesson 12: a real program passes too: python3 -m http.server on server port 80, run in a lab shell', { skip: needs('nsenter', 'python3') }, async () => {
    await ok(c.client.call('network', { action: 'create', topology: 'home' })); // the test before destroyed it
    const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-http-'));
    writeFileSync(path.join(dir, 'index.html'), '<p>hello from server</p>\n');
    const { shell } = await ok(c.client.call('network', { action: 'shell', host: 'server' }));
    assert.ok(shell);
    const program = spawn(process.execPath, ['scripts/lab-shell.mjs', 'server', shell.token, '--', 'python3', '-u', '-m', 'http.server', '80', '--bind', '0.0.0.0', '--directory', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    program.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    program.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const killer = setTimeout(() => program.kill('SIGKILL'), 30_000);
    try {
      await waitUntil(() => out.includes('Serving HTTP'), 10_000, () => `python's http.server to start (it said: ${out})`);
      const right = await check('serve-http-200');
      assert.equal(right.passed, true, JSON.stringify(right.checks));
      assert.match(named(right, 'the answer starts with an HTTP status line').detail, /^"HTTP\/1\.0 200 OK"$/);
      // The program logged the lab's request, from the router's public address.
      await waitUntil(() => /203\.0\.113\.1 .*"GET \/ HTTP\/1\.1" 200/.test(out), 3000, () => `the request in python's log: ${out}`);
    } finally {
      clearTimeout(killer);
      const exited = new Promise((r) => program.once('close', r));
      if (program.exitCode === null && program.signalCode === null) program.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
