/**
 * The fallback engine's TCP bind() (Node has no bind() without listen()) makes a trial bind, so a
 * port another program holds is EADDRINUSE at bind() time, as with the kernel, and the lab's port
 * picker (bind with port 0) moves past it. Before, the conflict surfaced only at listen(), and test
 * files sharing the lab range in parallel collided there.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { connect, errCode, ok, startLab } from '../helpers/lab.ts';

describe('the fallback engine reports a taken port at bind()', () => {
  let server: RunningServer;
  const holders: net.Server[] = [];
  before(async () => {
    server = await startLab({ engine: 'node', labPorts: '41000-41019' });
  });
  after(async () => {
    for (const h of holders) h.close();
    await server.close();
  });

  /** Listens on the port from outside the lab, like another program; false if it is taken already. */
  function hold(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const h = net.createServer();
      h.once('error', () => resolve(false));
      h.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
        holders.push(h);
        resolve(true);
      });
    });
  }

  it('EADDRINUSE at bind() for a port another program listens on; the socket stays usable', async () => {
    let port = 41000;
    while (!(await hold(port))) port++;
    const c = await connect(server);
    const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
    assert.equal(await errCode(c.client.call('bind', { sock, address: '127.0.0.1', port })), 'EADDRINUSE');
    const b = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    assert.notEqual(b.port, port);
    await ok(c.client.call('listen', { sock }));
    c.client.close();
  });

  it('the port picker skips every port other programs hold', async () => {
    // Hold all but one port of the (small) range: bind port 0 must find the free one, and listen there.
    const free: number[] = [];
    for (let p = 41000; p <= 41019; p++) if (!(await hold(p))) free.push(p);
    const spare = holders.pop()!;
    const sparePort = (spare.address() as net.AddressInfo).port;
    await new Promise((r) => spare.close(r));
    const c = await connect(server);
    const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
    const b = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    assert.ok(b.port === sparePort || free.includes(b.port), `picked ${b.port}`);
    await ok(c.client.call('listen', { sock }));
    c.client.close();
  });
});
