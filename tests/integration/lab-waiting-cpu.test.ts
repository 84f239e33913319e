/**
 * "Waiting costs no CPU", for every call that can block: a blocked recv, recvfrom, accept and
 * connect (per engine, where the engine can hold it blocked) must wait on the kernel's readiness
 * notification, not poll. Each is held blocked for about 300 ms while this process's CPU time is
 * measured (process.cpuUsage: CPU used, not wall time, so a busy machine does not change it); a
 * busy loop would use about all of it, a real wait almost none. The bound, 50 ms, is generous.
 * Then the call is released and must complete with the right answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import type { Step } from '../../server/protocol/index.ts';
import { connect, ok, startLab, type Connected } from '../helpers/lab.ts';

const ENGINES = [...(loadNativeAddon() ? (['native'] as const) : []), 'node'] as const;
const WAIT_MS = 300;
const CPU_BOUND_MS = 50;

for (const engine of ENGINES) {
  describe(`waiting costs no CPU (engine: ${engine})`, () => {
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

    /** Waits until the call with this op on `sock` is reported blocked, then measures CPU for WAIT_MS. */
    async function cpuWhileBlocked(op: string, sock: string): Promise<number> {
      await c.waitEvent((e): e is Step => e.event === 'step' && e.op === op && e.sock === sock && e.status === 'blocked', 3000);
      const before = process.cpuUsage();
      await new Promise((r) => setTimeout(r, WAIT_MS));
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    }

    async function listener(backlog?: number) {
      const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
      const { port } = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
      await ok(c.client.call('listen', { sock, ...(backlog === undefined ? {} : { backlog }) }));
      return { sock, port };
    }

    it('a blocked recv', async () => {
      const srv = await listener();
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port: srv.port }));
      const { sock: conn } = await ok(c.client.call('accept', { sock: srv.sock }));
      const receiving = c.client.call('recv', { sock: conn });
      const ms = await cpuWhileBlocked('recv', conn);
      assert.ok(ms < CPU_BOUND_MS, `a blocked recv used ${ms.toFixed(1)} ms of CPU in ${WAIT_MS} ms`);
      await ok(c.client.call('send', { sock: cli, data: 'x' }));
      const got = await ok(receiving);
      assert.equal('data' in got && got.data, 'x');
      for (const s of [cli, conn, srv.sock]) await ok(c.client.call('close', { sock: s }));
    });

    it('a blocked recvfrom', async () => {
      const { sock: rx } = await ok(c.client.call('socket', { type: 'udp' }));
      const { port } = await ok(c.client.call('bind', { sock: rx, address: '127.0.0.1', port: 0 }));
      const receiving = c.client.call('recvfrom', { sock: rx });
      const ms = await cpuWhileBlocked('recvfrom', rx);
      assert.ok(ms < CPU_BOUND_MS, `a blocked recvfrom used ${ms.toFixed(1)} ms of CPU in ${WAIT_MS} ms`);
      const { sock: tx } = await ok(c.client.call('socket', { type: 'udp' }));
      await ok(c.client.call('sendto', { sock: tx, data: 'dgram', address: '127.0.0.1', port }));
      assert.equal((await ok(receiving)).data, 'dgram');
      for (const s of [tx, rx]) await ok(c.client.call('close', { sock: s }));
    });

    it('a blocked accept', async () => {
      const srv = await listener();
      const accepting = c.client.call('accept', { sock: srv.sock });
      const ms = await cpuWhileBlocked('accept', srv.sock);
      assert.ok(ms < CPU_BOUND_MS, `a blocked accept used ${ms.toFixed(1)} ms of CPU in ${WAIT_MS} ms`);
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
      const conn = await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port: srv.port }));
      assert.equal((await ok(accepting)).peer.port, conn.local.port);
      await ok(c.client.call('close', { sock: cli }));
      await ok(c.client.call('close', { sock: srv.sock }));
    });

    it(
      'a blocked connect (the listener\'s accept queue is full, so the SYN goes unanswered)',
      engine === 'node' ? { skip: 'the fallback engine accepts every connection at once, so a connect cannot be held blocked' } : {},
      async () => {
        const srv = await listener(1);
        const filler: string[] = [];
        for (let i = 0; i < 2; i++) {
          const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
          await ok(c.client.call('connect', { sock, address: '127.0.0.1', port: srv.port }));
          filler.push(sock);
        }
        const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp' }));
        const connecting = c.client.call('connect', { sock: cli, address: '127.0.0.1', port: srv.port });
        const ms = await cpuWhileBlocked('connect', cli);
        assert.ok(ms < CPU_BOUND_MS, `a blocked connect used ${ms.toFixed(1)} ms of CPU in ${WAIT_MS} ms`);
        // Room in the queue: the kernel's next SYN retransmission (about 1 s after the first) gets in.
        await ok(c.client.call('accept', { sock: srv.sock }));
        await ok(c.client.call('accept', { sock: srv.sock }));
        const done = await ok(connecting);
        assert.equal(done.local.address, '127.0.0.1');
        for (const s of [...filler, cli]) await ok(c.client.call('close', { sock: s }));
        await ok(c.client.call('close', { sock: srv.sock }));
      },
    );
  });
}
