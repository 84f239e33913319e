/**
 * The one-thread-server scenario (issue 19) against the real lab on the native engine: every step
 * answers what the script expects, and each poll(2) reports the readiness the notes promise (the
 * listener with waiting connections, then only the connection whose client sent). The poll that
 * waits in the background wakes because a client sent: its answer names that client's connection only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { Step } from '../../server/protocol/index.ts';
import { ScenarioRunner } from '../../app/_lib/lab/scenario-runner.ts';
import { SCENARIOS } from '../../content/scenarios/index.ts';
import { connect, startLab, waitUntil } from '../helpers/lab.ts';

const nativeSkip = loadNativeAddon() ? false : 'the native addon is not built (node scripts/build-addon.mjs)';

describe('the one-thread-server scenario on the real lab', { skip: nativeSkip }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab({ engine: 'native' });
  });
  after(async () => {
    await server.close();
  });

  it('runs every step as the script expects, and each poll names the ready sockets', { timeout: 20_000 }, async () => {
    const c = await connect(server);
    try {
      const scenario = SCENARIOS['one-thread-server'];
      const runner = new ScenarioRunner(scenario, c.client, { siteAddress: '127.0.0.1', sitePort: server.port, host: `127.0.0.1:${server.port}` });
      while (!runner.done) {
        const out = await runner.next();
        assert.equal(out?.actual, out?.step.expect, `step ${runner.index} (${out?.step.op})`);
      }
      const polls = () => c.steps().filter((s): s is Extract<Step, { op: 'poll' }> => s.op === 'poll' && s.status === 'ok');
      // The background poll finishes when Ben's line arrives, possibly after the runner moved on.
      await waitUntil(() => polls().length === 4, 5000, 'four finished polls');
      const handle = (op: string, nth: number) => c.steps().filter((s) => s.op === op && s.status === 'ok')[nth]!.result as { sock: string };
      const srv = handle('socket', 0).sock;
      const c1 = handle('accept', 0).sock;
      const c2 = handle('accept', 1).sock;
      const ready = polls().map((p) => Object.fromEntries(p.result!.socks.map((s) => [s.sock, s.revents])));
      assert.deepEqual(ready[0], { [srv]: ['in'] });
      assert.deepEqual(ready[1], { [srv]: ['in'], [c1]: [] });
      assert.deepEqual(ready[2], { [srv]: [], [c1]: [], [c2]: ['in'] }, 'the waiting poll woke for Ben only');
      assert.deepEqual(ready[3], { [srv]: [], [c1]: ['in'], [c2]: [] });
      assert.deepEqual(polls().map((p) => p.result!.ready), [1, 1, 1, 1]);
      const waited = c.steps().filter((s) => s.op === 'poll' && s.status === 'blocked');
      assert.equal(waited.length, 1, 'exactly one poll had to wait');
    } finally {
      c.client.close();
    }
  });
});
