/**
 * The lab's socket semantics, checked through the real protocol: a real server on port 0, a real
 * WebSocket client, real kernel sockets on loopback, and the kernel's own table. Run once per engine;
 * cases the fallback engine cannot show honestly are marked native-only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { KernelRow, Step } from '../../server/protocol/index.ts';
import { connect, errCode, fdCount, isStep, kernelRows, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

export function defineSemanticsSuite(engine: 'native' | 'node'): void {
  const native = engine === 'native';
  const nativeOnly = native ? {} : { skip: 'the fallback engine cannot show this (see its composite notes)' };

  describe(`lab semantics over the protocol (engine: ${engine})`, () => {
    let server: RunningServer;
    let baseline: number;

    before(async () => {
      baseline = fdCount();
      server = await startLab({ engine });
    });
    after(async () => {
      await server.close();
      await waitUntil(() => fdCount() <= baseline, 5000, 'fds back to baseline');
    });

    async function session(): Promise<Connected> {
      const c = await connect(server);
      assert.equal(c.hello.engine, engine);
      return c;
    }

    async function listener(c: Connected, backlog?: number) {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
      const bound = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock, ...(backlog === undefined ? {} : { backlog }) }));
      return { sock, port: bound.port };
    }

    const rowOf = (rows: KernelRow[], sock: string) => rows.find((r) => r.sock === sock && r.relation === 'own');

    it('says hello with the protocol, the engine and the policy', async () => {
      const c = await session();
      assert.equal(c.hello.protocol, 'socketlab/1');
      assert.match(c.hello.session, /^[A-Za-z0-9_-]{16}$/);
      assert.deepEqual(c.hello.policy.ports, [41000, 41999]);
      assert.deepEqual(c.hello.policy.addresses, ['127.0.0.1', '::1']);
      assert.equal(c.hello.policy.sitePort, server.port);
      assert.equal(c.hello.role, 'owner');
      if (!native) assert.ok(Object.keys(c.hello.composite).length > 0, 'the fallback says which steps it combines');
      c.client.close();
    });

    it('runs the server side and the client side by hand, step by step, with the kernel rows', async () => {
      const c = await session();
      const s1 = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
      assert.equal(s1.sock, 's1');
      if (native) assert.ok(Number.isInteger(s1.fd) && s1.fd! > 2);
      const bound = await ok(c.client.call('bind', { sock: 's1', address: '127.0.0.1', port: 0 }));
      assert.ok(bound.port >= 41000 && bound.port <= 41999, `port ${bound.port} is inside the lab range`);
      if (native) {
        const rows = await kernelRows(c);
        assert.notEqual(rowOf(rows, 's1')?.state, 'LISTEN', 'bound is not listening');
      }
      await ok(c.client.call('listen', { sock: 's1', backlog: 4 }));
      const listening = rowOf(await kernelRows(c), 's1');
      assert.equal(listening?.state, 'LISTEN');
      assert.deepEqual(listening?.local, { address: '127.0.0.1', port: bound.port });

      const s2 = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
      const conn = await ok(c.client.call('connect', { sock: s2.sock, address: '127.0.0.1', port: bound.port }));
      assert.equal(conn.local.address, '127.0.0.1');
      if (native) {
        const rows = await kernelRows(c);
        assert.equal(rowOf(rows, 's1')?.rxQueue, 1, 'one connection waits in the accept queue');
        assert.ok(rows.some((r) => r.relation === 'accept-queue' && r.of === 's1' && r.state === 'ESTABLISHED'));
      }
      const acc = await ok(c.client.call('accept', { sock: 's1' }));
      assert.equal(acc.sock, 's3');
      assert.deepEqual(acc.peer, conn.local);

      assert.deepEqual(await ok(c.client.call('send', { sock: 's2', data: 'hello' })), { bytes: 5 });
      // The fallback engine reads eagerly into Node's buffer, so only the native engine shows the queue.
      if (native) await waitUntil(async () => rowOf(await kernelRows(c), 's3')?.rxQueue === 5, 3000, 'rxQueue 5 on s3');
      const got = await ok(c.client.call('recv', { sock: 's3' }));
      assert.equal('data' in got && got.data, 'hello');
      assert.equal(got.bytes, 5);

      await ok(c.client.call('send', { sock: 's3', data: 'hi back' }));
      const back = await ok(c.client.call('recv', { sock: 's2', max: 100 }));
      assert.equal('data' in back && back.data, 'hi back');

      // The client closes first: the server reads EOF and sits in CLOSE_WAIT until it closes too.
      await ok(c.client.call('close', { sock: 's2' }));
      const eof = await ok(c.client.call('recv', { sock: 's3' }));
      assert.deepEqual(eof, { bytes: 0, eof: true });
      assert.equal(rowOf(await kernelRows(c), 's3')?.state, 'CLOSE_WAIT');
      await ok(c.client.call('close', { sock: 's3' }));
      await waitUntil(
        async () => (await kernelRows(c)).some((r) => r.relation === 'closed' && r.of === 's2' && r.state === 'TIME_WAIT'),
        3000,
        'the active closer in TIME_WAIT',
      );

      const steps = c.steps().filter((s) => s.status !== 'blocked');
      assert.deepEqual(
        steps.map((s) => s.op),
        ['socket', 'bind', 'listen', 'socket', 'connect', 'accept', 'send', 'recv', 'send', 'recv', 'close', 'recv', 'close'],
      );
      assert.equal(steps[0].actor, 'server');
      assert.equal(steps[3].actor, 'client');
      assert.equal(steps[5].actor, 'server', 'an accepted socket belongs to the listener\'s program');
      for (const s of steps) assert.ok(s.end! >= s.start, 'every step has start and end times');
      c.client.close();
    });

    it('accept before listen is EINVAL; listen on UDP is refused by the kernel', async () => {
      const c = await session();
      await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('bind', { sock: 's1', address: '127.0.0.1', port: 0 }));
      assert.equal(await errCode(c.client.call('accept', { sock: 's1' })), 'EINVAL');
      await ok(c.client.call('socket', { type: 'udp' }));
      assert.equal(await errCode(c.client.call('listen', { sock: 's2' })), 'EOPNOTSUPP');
      c.client.close();
    });

    it('a blocking accept is shown blocked, then completes when a client connects', async () => {
      const c = await session();
      const { sock, port } = await listener(c);
      const pending = c.client.call('accept', { sock });
      const blocked = await c.waitEvent((e): e is Step => isStep(e) && e.op === 'accept' && e.status === 'blocked');
      assert.equal(blocked.end, undefined);
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port }));
      const acc = await ok(pending);
      assert.equal(acc.sock, 's3');
      const done = c.steps().find((s) => s.op === 'accept' && s.status === 'ok')!;
      assert.equal(done.seq, blocked.seq, 'the blocked step and its completion share a step number');
      c.client.close();
    });

    it('a blocking recv waits for data; close cancels a waiting call', async () => {
      const c = await session();
      const { sock, port } = await listener(c);
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port }));
      const { sock: srv } = await ok(c.client.call('accept', { sock }));
      const pending = c.client.call('recv', { sock: srv });
      await c.waitEvent((e) => isStep(e) && e.op === 'recv' && e.status === 'blocked');
      assert.equal(await errCode(c.client.call('recv', { sock: srv })), 'E_BUSY', 'one waiting receive per socket');
      await ok(c.client.call('send', { sock: cli, data: 'late' }));
      const got = await ok(pending);
      assert.equal('data' in got && got.data, 'late');

      const again = c.client.call('recv', { sock: srv });
      await waitUntil(() => c.steps().filter((s) => s.op === 'recv' && s.status === 'blocked').length === 2, 3000, 'the second recv blocked');
      await ok(c.client.call('close', { sock: srv }));
      assert.equal(await errCode(again), 'E_CANCELLED');
      assert.equal(await errCode(c.client.call('recv', { sock: srv })), 'E_NO_SOCKET');
      c.client.close();
    });

    it('non-blocking calls answer EAGAIN / EINPROGRESS at once', async () => {
      const c = await session();
      const { sock, port } = await listener(c);
      await ok(c.client.call('setblocking', { sock, blocking: false }));
      assert.equal(await errCode(c.client.call('accept', { sock })), 'EAGAIN');
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('setblocking', { sock: cli, blocking: false }));
      const r = await c.client.call('connect', { sock: cli, address: '127.0.0.1', port });
      // Loopback handshakes can finish inside connect(); the kernel may say either.
      assert.ok(r.ok || r.error.code === 'EINPROGRESS', r.ok ? '' : r.error.code);
      await waitUntil(async () => (await kernelRows(c)).some((row) => row.sock === cli && row.state === 'ESTABLISHED'), 3000, 'client established');
      const acc = await ok(c.client.call('accept', { sock }));
      await ok(c.client.call('setblocking', { sock: acc.sock, blocking: false }));
      assert.equal(await errCode(c.client.call('recv', { sock: acc.sock })), 'EAGAIN');
      assert.equal(c.steps().filter((s) => s.status === 'blocked' && s.op !== 'connect').length, 0, 'nothing blocked');
      c.client.close();
    });

    it('connect to a port where nobody listens is ECONNREFUSED', async () => {
      const c = await session();
      const { sock, port } = await listener(c);
      await ok(c.client.call('close', { sock }));
      await ok(c.client.call('socket', { type: 'tcp' }));
      assert.equal(await errCode(c.client.call('connect', { sock: 's2', address: '127.0.0.1', port })), 'ECONNREFUSED');
      c.client.close();
    });

    it('a second bind to the same port is EADDRINUSE', async () => {
      const c = await session();
      const { port } = await listener(c);
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      const r = await c.client.call('bind', { sock, address: '127.0.0.1', port });
      if (native) assert.equal(!r.ok && r.error.code, 'EADDRINUSE');
      else {
        // The fallback binds inside listen(), so the conflict shows there.
        const l = r.ok ? await c.client.call('listen', { sock }) : r;
        assert.equal(!l.ok && l.error.code, 'EADDRINUSE');
      }
      c.client.close();
    });

    it('connections complete into the accept queue; a full backlog leaves the next client in SYN_SENT', { ...nativeOnly }, async () => {
      const c = await session();
      const { sock, port } = await listener(c, 1);
      const clients: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp', actor: `client${i + 1}` }));
        await ok(c.client.call('setblocking', { sock: cli, blocking: false }));
        const r = await c.client.call('connect', { sock: cli, address: '127.0.0.1', port });
        assert.ok(r.ok || r.error.code === 'EINPROGRESS');
        clients.push(cli);
      }
      await waitUntil(async () => rowOf(await kernelRows(c), sock)?.rxQueue === 2, 3000, 'two in the accept queue');
      const rows = await kernelRows(c);
      assert.equal(rows.filter((r) => r.relation === 'accept-queue' && r.of === sock).length, 2);
      assert.equal(rowOf(rows, clients[2])?.state, 'SYN_SENT', 'the third client waits for an answer');
      c.client.close();
    });

    it('two TCP sends can arrive in one recv; UDP keeps each datagram whole', async () => {
      const c = await session();
      const { sock, port } = await listener(c);
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port }));
      const { sock: srv } = await ok(c.client.call('accept', { sock }));
      await ok(c.client.call('send', { sock: cli, data: 'one,' }));
      await ok(c.client.call('send', { sock: cli, data: 'two' }));
      await waitUntil(async () => native ? rowOf(await kernelRows(c), srv)?.rxQueue === 7 : true, 3000, 'seven bytes waiting');
      if (!native) await new Promise((r) => setTimeout(r, 100));
      const tcp = await ok(c.client.call('recv', { sock: srv, max: 100 }));
      assert.equal('data' in tcp && tcp.data, 'one,two', 'one recv returns both sends');

      const { sock: u1 } = await ok(c.client.call('socket', { type: 'udp' }));
      const ub = await ok(c.client.call('bind', { sock: u1, address: '127.0.0.1', port: 0 }));
      const { sock: u2 } = await ok(c.client.call('socket', { type: 'udp' }));
      await ok(c.client.call('sendto', { sock: u2, data: 'one,', address: '127.0.0.1', port: ub.port }));
      await ok(c.client.call('sendto', { sock: u2, data: 'two', address: '127.0.0.1', port: ub.port }));
      const d1 = await ok(c.client.call('recvfrom', { sock: u1, max: 100 }));
      const d2 = await ok(c.client.call('recvfrom', { sock: u1, max: 100 }));
      assert.equal(d1.data, 'one,');
      assert.equal(d2.data, 'two');
      assert.equal(d1.from.address, '127.0.0.1');
      c.client.close();
    });

    it('a connected UDP socket sending to a closed port sees ECONNREFUSED', async () => {
      const c = await session();
      const { sock: probe } = await ok(c.client.call('socket', { type: 'udp' }));
      const { port } = await ok(c.client.call('bind', { sock: probe, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('close', { sock: probe }));
      const { sock } = await ok(c.client.call('socket', { type: 'udp' }));
      const sent = await ok(c.client.call('sendto', { sock, data: 'anyone?', address: '127.0.0.1', port }));
      assert.equal(sent.bytes, 7, 'an unconnected sendto to nobody still "succeeds"');
      await ok(c.client.call('connect', { sock, address: '127.0.0.1', port }));
      await ok(c.client.call('send', { sock, data: 'anyone?' }));
      await ok(c.client.call('setblocking', { sock, blocking: false }));
      await waitUntil(async () => {
        const r = await c.client.call('recv', { sock });
        return !r.ok && r.error.code === 'ECONNREFUSED';
      }, 3000, 'ECONNREFUSED from the ICMP port unreachable');
      c.client.close();
    });

    it('data sent before recv waits in the kernel, and kernel events report arrivals', { ...nativeOnly }, async () => {
      const c = await session();
      const { sock, port } = await listener(c);
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port }));
      await c.waitEvent((e) => e.event === 'kernel' && e.sock === sock && e.change === 'connection-waiting');
      const { sock: srv } = await ok(c.client.call('accept', { sock }));
      await ok(c.client.call('send', { sock: cli, data: '12345678' }));
      const ev = await c.waitEvent((e) => e.event === 'kernel' && e.sock === srv && e.change === 'data-waiting');
      assert.equal(ev.event === 'kernel' && ev.bytes, 8);
      assert.equal(rowOf(await kernelRows(c), srv)?.rxQueue, 8);
      await ok(c.client.call('close', { sock: cli }));
      await ok(c.client.call('recv', { sock: srv }));
      await c.waitEvent((e) => e.event === 'kernel' && e.sock === srv && e.change === 'peer-closed');
      c.client.close();
    });

    it('works over IPv6 loopback', async () => {
      const c = await session();
      const { sock } = await ok(c.client.call('socket', { type: 'tcp', family: 6 }));
      const b = await ok(c.client.call('bind', { sock, address: '::1', port: 0 }));
      await ok(c.client.call('listen', { sock }));
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp', family: 6 }));
      await ok(c.client.call('connect', { sock: cli, address: '::1', port: b.port }));
      const acc = await ok(c.client.call('accept', { sock }));
      assert.equal(acc.peer.address, '::1');
      const row = rowOf(await kernelRows(c), sock);
      assert.equal(row?.proto, 'tcp6');
      c.client.close();
    });

    for (const tool of ['nc', 'python3'] as const) {
      it(`a ${tool} client from the terminal joins a lab socket and shows up`, { skip: needs(tool) }, async () => {
        const c = await session();
        const { sock, port } = await listener(c);
        const child =
          tool === 'nc'
            ? spawn('nc', ['-q', '5', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] })
            : spawn('python3', ['-c', `import socket,time\ns=socket.create_connection(("127.0.0.1",${port}))\ns.sendall(b"hi from ${tool}\\n")\nprint(s.recv(100).decode(),flush=True)\ntime.sleep(0.2)`], { stdio: ['pipe', 'pipe', 'ignore'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        try {
          if (tool === 'nc') child.stdin.write(`hi from ${tool}\n`);
          await c.waitEvent((e) => e.event === 'kernel' && e.sock === sock && e.change === 'connection-waiting', 5000);
          const acc = await ok(c.client.call('accept', { sock }));
          assert.equal(acc.peer.address, '127.0.0.1');
          if (native) {
            const rows = await kernelRows(c);
            assert.ok(rows.some((r) => r.relation === 'outside' && r.of === acc.sock && r.local.port === acc.peer.port), 'the other program\'s end is shown');
          }
          const got = await ok(c.client.call('recv', { sock: acc.sock }));
          assert.equal('data' in got && got.data, `hi from ${tool}\n`);
          await ok(c.client.call('send', { sock: acc.sock, data: 'welcome\n' }));
          await waitUntil(() => out.includes('welcome'), 5000, `${tool} to print our reply`);
        } finally {
          child.kill();
          c.client.close();
        }
      });
    }

    it('a viewer mirrors the session read-only', async () => {
      const owner = await session();
      const viewer = await connect(server, { watch: owner.hello.watchToken });
      assert.equal(viewer.hello.role, 'viewer');
      assert.equal(viewer.hello.session, owner.hello.session);
      await ok(owner.client.call('socket', { type: 'tcp' }));
      const seen = await viewer.waitEvent((e) => isStep(e) && e.op === 'socket' && e.status === 'ok');
      assert.equal((seen as Step).sock, 's1');
      assert.equal(await errCode(viewer.client.call('close', { sock: 's1' })), 'E_POLICY');
      assert.ok((await kernelRows(owner)) !== undefined);
      owner.client.close();
      await viewer.waitEvent((e) => e.event === 'bye');
    });

    it('closing the WebSocket with sockets open and calls blocked releases every fd', async () => {
      const before = fdCount();
      const c = await session();
      const { sock, port } = await listener(c);
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port }));
      const { sock: srv } = await ok(c.client.call('accept', { sock }));
      void c.client.call('recv', { sock: srv });
      void c.client.call('accept', { sock });
      await ok(c.client.call('socket', { type: 'udp' }));
      const stillBlocked = () => {
        const steps = c.steps();
        return steps.filter((s) => s.status === 'blocked' && !steps.some((d) => d.seq === s.seq && d.status !== 'blocked')).length;
      };
      await waitUntil(() => stillBlocked() === 2, 3000, 'two blocked calls');
      assert.ok(fdCount() > before);
      c.ws.terminate();
      await waitUntil(() => fdCount() <= before, 5000, `fds back to ${before}`);
      await waitUntil(() => server.hub.sessionCount === 0, 3000, 'session gone');
    });
  });
}
