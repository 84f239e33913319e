/**
 * The scenarios of the issue 19 lessons teach what the kernel really does: each one runs on the real
 * lab (native engine, loopback or the sandbox network), and every step's real answer is the one the
 * script expects. The facts the lessons build on are then checked in the results themselves: an IPv4
 * client seen as ::ffff:127.0.0.1, TCP_NODELAY inherited by an accepted socket, a blocked recv() that
 * fails with ETIMEDOUT once keepalive gives up, the server name readable in a ClientHello.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { Step } from '../../server/protocol/index.ts';
import { ScenarioRunner } from '../../app/_lib/lab/scenario-runner.ts';
import { SCENARIOS, type ScenarioName } from '../../content/scenarios/index.ts';
import { connect, startLab } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

/** Runs a whole scenario; returns each step's op, expected and actual answer, and the lab's step events. */
async function run(server: RunningServer, name: ScenarioName) {
  const c = await connect(server);
  try {
    const runner = new ScenarioRunner(SCENARIOS[name], c.client, { siteAddress: '127.0.0.1', sitePort: server.port, host: `127.0.0.1:${server.port}` });
    const outcomes: { op: string; expect: string; actual: string }[] = [];
    while (!runner.done) {
      const out = await runner.next();
      if (out) outcomes.push({ op: out.step.op, expect: out.step.expect, actual: out.actual });
    }
    return { outcomes, steps: c.steps(), native: c.hello.engine === 'native' };
  } finally {
    c.client.close();
  }
}

const okResults = (steps: Step[], op: string) => steps.filter((s) => s.op === op && s.status === 'ok').map((s) => s.result as Record<string, unknown>);

describe('the issue 19 lesson scenarios on the real lab', () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab();
  });
  after(async () => {
    await server.close();
  });

  const cases: [ScenarioName, (steps: Step[]) => void, string | false][] = [
    [
      'dual-stack',
      (steps) => {
        assert.equal(okResults(steps, 'getsockopt')[0]?.value, 0, 'IPV6_V6ONLY starts at 0');
        const peer = okResults(steps, 'accept')[0]?.peer as { address: string } | undefined;
        assert.equal(peer?.address, '::ffff:127.0.0.1', 'an IPv4 client as an IPv4-mapped address');
      },
      false,
    ],
    [
      'small-writes',
      (steps) => {
        assert.deepEqual(okResults(steps, 'getsockopt').map((r) => r.value), [0, 1], 'off on a fresh socket, inherited from the listener');
        assert.equal(okResults(steps, 'recv')[0]?.data, 'move left\n');
      },
      false,
    ],
    [
      'one-thread',
      (steps) => {
        assert.deepEqual(okResults(steps, 'recv').map((r) => r.data), ['A here\n', 'hello from B\n']);
      },
      false,
    ],
    [
      'tls-first-bytes',
      (steps) => {
        const hello = Buffer.from(String(okResults(steps, 'recv')[1]?.base64), 'base64');
        assert.equal(hello.length, 517);
        assert.deepEqual([...hello.subarray(0, 3)], [0x16, 0x03, 0x01], 'a TLS handshake record');
        assert.equal(hello[5], 0x01, 'a ClientHello');
        assert.ok(hello.includes('chat.example'), 'the server name in plain text');
      },
      false,
    ],
    [
      'dead-peer',
      (steps) => {
        const last = steps.filter((s) => s.op === 'recv').at(-1);
        assert.equal(last?.status === 'error' ? last.error?.code : last?.status, 'ETIMEDOUT');
      },
      needs('unshare', 'ip', 'nft'),
    ],
  ];

  for (const [name, check, skip] of cases) {
    it(`${name}: every step answers as the script expects`, { skip, timeout: 30_000 }, async (t) => {
      const { outcomes, steps, native } = await run(server, name);
      if (!native) return t.skip('the fallback engine has no setsockopt()/getsockopt()');
      assert.deepEqual(
        outcomes.filter((o) => o.actual !== o.expect),
        [],
        'steps whose real answer differs from the script',
      );
      check(steps);
    });
  }
});
