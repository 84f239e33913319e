/**
 * Challenges graded by the kernel (issue 18), over the real lab and the real sandbox: each one is
 * checked with the network (or the loopback server) left wrong, where it must fail and say why, and
 * then put right, where it must pass. Nothing here tells the check what was clicked: it looks.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { CheckResult } from '../../server/protocol/index.ts';
import { connect, errCode, fdCount, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const skip = needs('unshare', 'ip', 'nft');

/** The check with the given name (a prefix), asserting it exists. */
function named(result: CheckResult, prefix: string) {
  const found = result.checks.find((c) => c.name.startsWith(prefix));
  assert.ok(found, `no check named "${prefix}…" in ${JSON.stringify(result.checks)}`);
  return found;
}

describe('network challenges, checked in the sandbox', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  const check = (challenge: CheckResult['challenge']) => ok(c.client.call('check', { challenge }));
  before(async () => {
    server = await startLab();
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('refuses a network challenge without a network (E_NO_NETWORK) and an unknown id (E_BAD_REQUEST)', async () => {
    assert.equal(await errCode(c.client.call('check', { challenge: 'block-phone' })), 'E_NO_NETWORK');
    assert.equal(await errCode(c.client.call('check', { challenge: 'nope' as never })), 'E_BAD_REQUEST');
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });

  it('lesson 4: a listener on the address server sees the laptop as (203.0.113.1, on the router)', async () => {
    const wrong = await check('public-address-listener');
    assert.equal(wrong.passed, false);
    assert.match(named(wrong, 'server accepts').detail, /peer is 203\.0\.113\.1:/);
    assert.equal(named(wrong, 'router has a TCP socket listening').passed, false);

    // Bound to every address: not the one asked for.
    const any = await ok(c.client.call('socket', { type: 'tcp', host: 'router' }));
    await ok(c.client.call('bind', { sock: any.sock, address: '0.0.0.0', port: 7000 }));
    await ok(c.client.call('listen', { sock: any.sock }));
    const stillWrong = await check('public-address-listener');
    assert.equal(stillWrong.passed, false);
    assert.match(named(stillWrong, 'router has a TCP socket listening').detail, /0\.0\.0\.0:7000/);

    const lan = await ok(c.client.call('socket', { type: 'tcp', host: 'router' }));
    await ok(c.client.call('bind', { sock: lan.sock, address: '192.168.1.1', port: 7001 }));
    await ok(c.client.call('listen', { sock: lan.sock }));
    assert.equal((await check('public-address-listener')).passed, false, 'the LAN address is not what server sees');

    const wan = await ok(c.client.call('socket', { type: 'tcp', host: 'router' }));
    await ok(c.client.call('bind', { sock: wan.sock, address: '203.0.113.1', port: 7002 }));
    await ok(c.client.call('listen', { sock: wan.sock }));
    const right = await check('public-address-listener');
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    assert.match(named(right, 'server connects to 203.0.113.1:7002').detail, /^connected from 203\.0\.113\.80:/);
    for (const s of [any, lan, wan]) await ok(c.client.call('close', { sock: s.sock }));
  });

  it('lesson 5: server reaches a listener on laptop through a forward, seen arriving in laptop\'s kernel', async () => {
    const none = await check('forward-to-laptop');
    assert.equal(none.passed, false);
    assert.equal(named(none, 'the router forwards').detail, "the router's nat table has no port forward");

    // A forward to phone is not a forward to laptop.
    await ok(c.client.call('forward', { action: 'add', forward: { protocol: 'tcp', wanPort: 8081, lanAddress: '192.168.1.11', lanPort: 8000 } }));
    const elsewhere = await check('forward-to-laptop');
    assert.equal(elsewhere.passed, false);
    assert.match(named(elsewhere, 'the router forwards').detail, /go elsewhere: tcp 8081 → 192\.168\.1\.11:8000/);

    // The forward without a listener behind it: the SYN reaches laptop, which resets it.
    await ok(c.client.call('forward', { action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 8000 } }));
    const noListener = await check('forward-to-laptop');
    assert.equal(noListener.passed, false);
    assert.match(named(noListener, 'server connects to 203.0.113.1:8080').detail, /^ECONNREFUSED/);

    const web = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop' }));
    await ok(c.client.call('bind', { sock: web.sock, address: '0.0.0.0', port: 8000 }));
    await ok(c.client.call('listen', { sock: web.sock }));
    const right = await check('forward-to-laptop');
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    assert.match(named(right, "laptop's kernel shows").detail, /^192\.168\.1\.10:8000 ⇄ 203\.0\.113\.80:\d+, ESTABLISHED/);
    // The probe's connection really reached the learner's listener: it waits in its accept queue.
    const accepted = await ok(c.client.call('accept', { sock: web.sock }));
    assert.equal(accepted.peer.address, '203.0.113.80');
    await ok(c.client.call('close', { sock: accepted.sock }));
    await ok(c.client.call('close', { sock: web.sock }));
    await ok(c.client.call('forward', { action: 'flush' }));
  });

  it('lesson 6: phone blocked from server, laptop not: real connects from both', async () => {
    const open = await check('block-phone');
    assert.equal(open.passed, false);
    assert.equal(named(open, 'laptop connects').passed, true);
    assert.match(named(open, 'phone cannot connect').detail, /^it connected/);

    // Blocking on server cannot tell them apart: both arrive as the router's 203.0.113.1.
    await ok(c.client.call('firewall', { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'tcp', source: '203.0.113.1', destinationPort: 80, verdict: 'reject', rejectWith: 'tcp-reset' } }));
    const both = await check('block-phone');
    assert.equal(both.passed, false);
    assert.match(named(both, 'laptop connects').detail, /^ECONNREFUSED/);
    await ok(c.client.call('firewall', { host: 'server', action: 'flush' }));

    // On the router, before NAT hides who sent it: a drop of phone's packets to server.
    await ok(c.client.call('firewall', { host: 'router', action: 'add', rule: { chain: 'forward', source: '192.168.1.11', destination: '203.0.113.80', verdict: 'drop' } }));
    const right = await check('block-phone');
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    assert.match(named(right, 'phone cannot connect').detail, /^no answer within 3 s/);
    await ok(c.client.call('firewall', { host: 'router', action: 'flush' }));
  });

  it('uses the learner\'s own listener on server port 80 when there is one', async () => {
    const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server' }));
    await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 }));
    await ok(c.client.call('listen', { sock: web.sock }));
    await ok(c.client.call('firewall', { host: 'phone', action: 'add', rule: { chain: 'output', protocol: 'tcp', destination: '203.0.113.80', verdict: 'reject', rejectWith: 'tcp-reset' } }));
    const right = await check('block-phone');
    assert.equal(right.passed, true, JSON.stringify(right.checks));
    assert.match(named(right, 'laptop connects').name, /your own listener/);
    assert.match(named(right, 'phone cannot connect').detail, /^ECONNREFUSED/);
    await ok(c.client.call('firewall', { host: 'phone', action: 'flush' }));
    await ok(c.client.call('close', { sock: web.sock }));
  });

  it('one check at a time per session (E_BUSY), and no probe socket is left behind', async () => {
    const before = fdCount();
    const first = c.client.call('check', { challenge: 'block-phone' });
    assert.equal(await errCode(c.client.call('check', { challenge: 'block-phone' })), 'E_BUSY');
    await ok(first);
    await waitUntil(() => fdCount() <= before, 3000, `fds back to ${before} (now ${fdCount()})`);
  });
});

describe('the loopback echo challenge (server-side lesson)', () => {
  let server: RunningServer;
  let c: Connected;
  const check = () => ok(c.client.call('check', { challenge: 'echo-41234' }));
  before(async () => {
    server = await startLab();
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  /** A real TCP server on 127.0.0.1:41234, standing in for the learner's terminal program. */
  async function serve(onLine: (line: string, sock: net.Socket) => void): Promise<net.Server> {
    const s = net.createServer((sock) => {
      let got = '';
      sock.on('data', (d) => {
        got += d.toString();
        const nl = got.indexOf('\n');
        if (nl >= 0) onLine(got.slice(0, nl), sock);
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(41234, '127.0.0.1', resolve));
    return s;
  }
  const stop = (s: net.Server) => new Promise<void>((r) => s.close(() => r()));

  it('fails with nothing listening (ECONNREFUSED)', async () => {
    const r = await check();
    assert.equal(r.passed, false);
    assert.match(named(r, 'the lab connects to 127.0.0.1:41234').detail, /^ECONNREFUSED/);
  });

  it('fails when the server answers something else, or closes without a line', async () => {
    const wrong = await serve((_line, sock) => sock.end('nope\n'));
    try {
      const r = await check();
      assert.equal(r.passed, false);
      assert.match(named(r, 'it sends').detail, /read back "nope", not the line sent/);
    } finally {
      await stop(wrong);
    }
    const closer = await serve((_line, sock) => sock.end());
    try {
      const r = await check();
      assert.equal(r.passed, false);
      assert.match(named(r, 'it sends').detail, /closed the connection after sending nothing/);
    } finally {
      await stop(closer);
    }
  });

  it('passes with a real echo server, and the line carries a fresh nonce each time', async () => {
    const seen: string[] = [];
    const echo = await serve((line, sock) => {
      seen.push(line);
      sock.end(`${line}\n`);
    });
    try {
      const first = await check();
      assert.equal(first.passed, true, JSON.stringify(first.checks));
      assert.equal((await check()).passed, true);
      assert.equal(seen.length, 2);
      assert.notEqual(seen[0], seen[1]);
      assert.match(seen[0]!, /^hello from the lab [0-9a-f]{8}$/);
    } finally {
      await stop(echo);
    }
  });

  it('is refused by the policy (E_POLICY) where 41234 is outside the lab range', async () => {
    const narrow = await startLab({ labPorts: '42000-42099' });
    const n = await connect(narrow);
    try {
      assert.equal(await errCode(n.client.call('check', { challenge: 'echo-41234' })), 'E_POLICY');
    } finally {
      n.client.close();
      await narrow.close();
    }
  });
});
