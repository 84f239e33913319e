/**
 * A TCP connect's client port is the kernel's choice, from its ephemeral range (32768-60999 by
 * default), which holds the lab's own range. A client port chosen inside the lab range stays in
 * TIME_WAIT for a minute after the client closes, and any bind() there fails with EADDRINUSE: at
 * 300 sessions with capture on, 566 `bind: EADDRINUSE` came from that (issue 17, Bench). The lab
 * keeps the kernel's choice out of its range; here the lab range is most of the ephemeral range, so
 * without that, nearly every connect would land in it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { ephemeralRangeAvoiding, systemEphemeralRange } from '../../server/engines/ephemeral-range.ts';
import type { RunningServer } from '../../server/app.ts';
import { connect, ok, startLab, type Connected } from '../helpers/lab.ts';

const T = { timeout: 30_000 };
const system = systemEphemeralRange();
const skip = !loadNativeAddon() ? 'the native addon is not built here (node scripts/build-addon.mjs)' : !system || system[1] - system[0] < 3000 ? 'the ephemeral range is too small to leave room around a lab range' : false;

describe('a connect never takes a port in the lab range (native engine)', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  // Most of the system's range, 1000 ports above it left for the kernel.
  const lab: [number, number] = system ? [system[0] + 100, system[1] - 1000] : [41000, 41999];
  before(async () => {
    server = await startLab({ engine: 'native', labPorts: `${lab[0]}-${lab[1]}` });
    c = await connect(server);
  });
  after(async () => {
    c?.client.close();
    await server?.close();
  });

  it('gives every client port outside the lab range, and binds inside it still work', T, async () => {
    const { sock: srv } = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
    const bound = await ok(c.client.call('bind', { sock: srv, address: '127.0.0.1', port: 0 }));
    assert.ok(bound.port >= lab[0] && bound.port <= lab[1], `bind port 0 stays in the lab range (${bound.port})`);
    await ok(c.client.call('listen', { sock: srv }));
    const inside: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { sock: cli } = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
      const r = await ok(c.client.call('connect', { sock: cli, address: '127.0.0.1', port: bound.port }));
      const port = (r as { local: { port: number } }).local.port;
      assert.ok(port > 0, 'the connect bound a port');
      if (port >= lab[0] && port <= lab[1]) inside.push(port);
      const { sock: conn } = await ok(c.client.call('accept', { sock: srv }));
      await ok(c.client.call('close', { sock: cli })); // the client closes first: its port is the one in TIME_WAIT
      await ok(c.client.call('close', { sock: conn }));
    }
    assert.deepEqual(inside, [], `client ports inside the lab range ${lab[0]}-${lab[1]}`);
    await ok(c.client.call('close', { sock: srv }));
  });
});

describe('the range the kernel is left', () => {
  it('is the larger side of the system range outside the lab range, or nothing to change', () => {
    assert.deepEqual(ephemeralRangeAvoiding([41000, 41999], [32768, 60999]), [42000, 60999]);
    assert.deepEqual(ephemeralRangeAvoiding([50000, 59999], [32768, 60999]), [32768, 49999]);
    assert.equal(ephemeralRangeAvoiding([20000, 20999], [32768, 60999]), null, 'no overlap: nothing to avoid');
    assert.equal(ephemeralRangeAvoiding([30000, 61000], [32768, 60999]), null, 'nothing left: the system range stays');
    assert.deepEqual(ephemeralRangeAvoiding([32768, 40000], [32768, 60999]), [40001, 60999]);
    assert.equal(ephemeralRangeAvoiding([1, 2], null), null);
  });
});
