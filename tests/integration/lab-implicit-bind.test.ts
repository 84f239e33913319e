/**
 * Every way the kernel can bind a socket on its own (listen or sendto on an unbound socket, a UDP
 * connect, a send after it, a failed UDP call that had already bound, IPv6 dual-stack sockets) is
 * tried against a real server on both engines. After each, the kernel's own tables (not the lab's
 * bookkeeping) must show no lab socket on a wildcard or other address outside the policy, and no
 * listener or unconnected UDP socket outside the lab range.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import { connect, errCode, ok, startLab, type Connected } from '../helpers/lab.ts';
import { labSocketViolations, processSockets } from '../helpers/kernel-sockets.ts';
import type { Step } from '../../server/protocol/index.ts';

const ENGINES = [...(loadNativeAddon() ? (['native'] as const) : []), 'node'] as const;
const inRange = (port: number) => port >= 41000 && port <= 41999;

for (const engine of ENGINES) {
  describe(`implicit binds stay on loopback inside the lab range (engine: ${engine})`, () => {
    let server: RunningServer;
    let c: Connected;
    before(async () => {
      server = await startLab({ engine });
      c = await connect(server);
    });
    after(async () => {
      c.client.close();
      await server.close();
    });

    function assertKernelClean(what: string) {
      const violations = labSocketViolations({ addresses: server.policy.addresses, ports: server.policy.ports, sitePort: server.port });
      assert.deepEqual(violations, [], `${what}: the kernel's tables show a lab socket outside the policy`);
    }

    async function receiver(family: 4 | 6 = 4) {
      const { sock } = await ok(c.client.call('socket', { type: 'udp', family, actor: 'receiver' }));
      const b = await ok(c.client.call('bind', { sock, address: family === 4 ? '127.0.0.1' : '::1', port: 0 }));
      return { sock, port: b.port };
    }

    for (const family of [4, 6] as const) {
      it(`refuses listen() on a TCP socket that was never bound (IPv${family}), and says why`, async () => {
        const { sock } = await ok(c.client.call('socket', { type: 'tcp', family, actor: 'server' }));
        const r = await c.client.call('listen', { sock });
        assert.equal(r.ok, false, 'listen on an unbound socket must not run');
        if (!r.ok) {
          assert.equal(r.error.code, 'E_POLICY');
          assert.match(r.error.message, /bind\(\) first/);
          assert.match(r.error.message, family === 4 ? /0\.0\.0\.0/ : /::/, 'it says what the kernel would have done');
        }
        assertKernelClean('listen on an unbound socket');
        assert.equal(processSockets().filter((s) => s.state === '0A' && s.local.port !== server.port).length, 0, 'no listener at all');
        // A real server binds first: then listen() works, on loopback inside the range.
        const b = await ok(c.client.call('bind', { sock, address: family === 4 ? '127.0.0.1' : '::1', port: 0 }));
        await ok(c.client.call('listen', { sock }));
        assert.ok(inRange(b.port));
        assertKernelClean('listen after bind');
        await ok(c.client.call('close', { sock }));
      });

      it(`sendto() on a UDP socket that was never bound binds it to loopback in the range first (IPv${family})`, async () => {
        const rx = await receiver(family);
        const loopback = family === 4 ? '127.0.0.1' : '::1';
        const { sock } = await ok(c.client.call('socket', { type: 'udp', family, actor: 'sender' }));
        const sent = await ok(c.client.call('sendto', { sock, data: 'hi', address: loopback, port: rx.port }));
        assert.equal(sent.bytes, 2);
        assert.ok(sent.implicitBind, 'the result says the lab bound the socket first');
        assert.equal(sent.implicitBind.address, loopback);
        assert.ok(inRange(sent.implicitBind.port), `port ${sent.implicitBind.port} is inside the lab range`);
        const got = await ok(c.client.call('recvfrom', { sock: rx.sock }));
        assert.deepEqual(got.from, sent.implicitBind, 'the datagram came from where the lab said it bound');
        const step = c.steps().findLast((s): s is Step<'sendto'> => s.op === 'sendto' && s.status === 'ok');
        assert.deepEqual(step?.result?.implicitBind, sent.implicitBind, 'the step the learner sees says so too');
        assertKernelClean('sendto on an unbound socket');
        // Bound now: a second sendto binds nothing.
        const again = await ok(c.client.call('sendto', { sock, data: 'x', address: loopback, port: rx.port }));
        assert.equal(again.implicitBind, undefined);
        for (const s of [sock, rx.sock]) await ok(c.client.call('close', { sock: s }));
      });

      it(`connect() on an unbound UDP socket, then send(), stay on loopback in the range (IPv${family})`, async () => {
        const rx = await receiver(family);
        const loopback = family === 4 ? '127.0.0.1' : '::1';
        const { sock } = await ok(c.client.call('socket', { type: 'udp', family }));
        const conn = await ok(c.client.call('connect', { sock, address: loopback, port: rx.port }));
        assert.equal(conn.local.address, loopback);
        assert.ok(inRange(conn.local.port), `a UDP socket is bound inside the range before connect (port ${conn.local.port})`);
        assert.deepEqual(conn.implicitBind, conn.local);
        await ok(c.client.call('send', { sock, data: 'after connect' }));
        const got = await ok(c.client.call('recvfrom', { sock: rx.sock }));
        assert.equal(got.data, 'after connect');
        assertKernelClean('UDP connect and send');
        for (const s of [sock, rx.sock]) await ok(c.client.call('close', { sock: s }));
      });
    }

    it('send() on an unbound, unconnected UDP socket: EDESTADDRREQ, and no wildcard bind left behind', async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'udp' }));
      assert.equal(await errCode(c.client.call('send', { sock, data: 'to nobody' })), 'EDESTADDRREQ');
      assertKernelClean('send on an unbound UDP socket');
      await ok(c.client.call('close', { sock }));
    });

    it('a UDP call the kernel refuses for the address family leaves no wildcard bind behind', async () => {
      const { sock: u4 } = await ok(c.client.call('socket', { type: 'udp', family: 4 }));
      assert.equal(await errCode(c.client.call('connect', { sock: u4, address: '::1', port: 41000 })), 'EAFNOSUPPORT');
      assertKernelClean('UDP IPv4 connect to ::1');
      const { sock: u4b } = await ok(c.client.call('socket', { type: 'udp', family: 4 }));
      assert.equal(await errCode(c.client.call('sendto', { sock: u4b, data: 'x', address: '::1', port: 41000 })), 'EAFNOSUPPORT');
      assertKernelClean('UDP IPv4 sendto ::1');
      for (const s of [u4, u4b]) await ok(c.client.call('close', { sock: s }));
    });

    it('an IPv6 socket sending to an IPv4 (or IPv4-mapped) address is bound to mapped loopback, not [::]', async () => {
      const rx = await receiver(4);
      for (const address of ['127.0.0.1', '::ffff:127.0.0.1']) {
        const { sock } = await ok(c.client.call('socket', { type: 'udp', family: 6 }));
        const r = await c.client.call('sendto', { sock, data: 'dual', address, port: rx.port });
        if (engine === 'native') {
          assert.ok(r.ok, `sendto ${address}: ${r.ok ? '' : r.error.code}`);
          assert.deepEqual(r.result.implicitBind?.address, '::ffff:127.0.0.1');
          const got = await ok(c.client.call('recvfrom', { sock: rx.sock }));
          assert.equal(got.from.address, '127.0.0.1');
        }
        assertKernelClean(`UDP IPv6 sendto ${address}`);
        await ok(c.client.call('close', { sock }));
      }
      await ok(c.client.call('close', { sock: rx.sock }));
    });

    it('refuses a bind to the IPv4-mapped wildcard or an IPv4-compatible address on an IPv6 socket', async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'udp', family: 6 }));
      for (const address of ['::ffff:0.0.0.0', '::', '::0.0.0.0', '::ffff:10.0.0.1']) {
        assert.equal(await errCode(c.client.call('bind', { sock, address, port: 41000 })), 'E_POLICY', address);
      }
      assertKernelClean('binds on a dual-stack socket');
      await ok(c.client.call('close', { sock }));
    });

    it('a TCP client keeps its kernel-chosen port, on loopback', async () => {
      const { sock: srv } = await ok(c.client.call('socket', { type: 'tcp' }));
      const b = await ok(c.client.call('bind', { sock: srv, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock: srv }));
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      const conn = await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port: b.port }));
      assert.equal(conn.local.address, '127.0.0.1');
      assert.equal(conn.implicitBind, undefined, 'no lab bind for a TCP client: lesson 5 shows its ephemeral port');
      assertKernelClean('a TCP client');
      for (const s of [cli, srv]) await ok(c.client.call('close', { sock: s }));
    });

    it('run chat needs a socket listening inside the policy', async () => {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      assert.equal(await errCode(c.client.call('listen', { sock })), 'E_POLICY');
      assert.equal(await errCode(c.client.call('run', { program: 'chat', sock })), 'E_BAD_REQUEST');
      assertKernelClean('run chat on an unbound socket');
      await ok(c.client.call('close', { sock }));
    });
  });
}
