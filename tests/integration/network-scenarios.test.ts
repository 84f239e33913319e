/**
 * The network scenarios of lessons 2-6 and 12 (content/network-scenarios/) teach what the kernel
 * really does: each runs on the real lab in a real sandbox network, every step's real answer is the
 * one the script expects, and the facts each lesson's `teaches` lines state are checked in the
 * kernel's own answers and tables (read with `network show` after each step, as the page does).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { ProtocolNetworkView, Step } from '../../server/protocol/index.ts';
import { ScenarioRunner } from '../../app/_lib/lab/scenario-runner.ts';
import { NETWORK_SCENARIOS, type NetworkScenarioName } from '../../content/network-scenarios/index.ts';
import { connect, startLab } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

type View = ProtocolNetworkView;
type Host = View['hosts'][number];

async function run(server: RunningServer, name: NetworkScenarioName, sitePort: number) {
  const c = await connect(server);
  try {
    const runner = new ScenarioRunner(NETWORK_SCENARIOS[name], c.client, { siteAddress: '127.0.0.1', sitePort, host: `127.0.0.1:${sitePort}` });
    const outcomes: { n: number; op: string; expect: string; actual: string }[] = [];
    /** The network after each step, as the page reads it. */
    const views: View[] = [];
    while (!runner.done) {
      const out = await runner.next();
      if (!out) break;
      outcomes.push({ n: runner.index, op: out.step.op, expect: out.step.expect, actual: out.actual });
      const shown = await c.client.call('network', { action: 'show' });
      if (shown.ok && shown.result.network) views.push(shown.result.network);
    }
    return { outcomes, views, steps: c.steps() };
  } finally {
    c.client.close();
  }
}

const host = (v: View | undefined, name: string): Host => {
  const h = v?.hosts.find((x) => x.name === name);
  assert.ok(h, `host ${name} in the view`);
  return h;
};
const neighbours = (v: View | undefined, name: string) => host(v, name).neighbours.filter((n) => n.family === 4 && n.mac).map((n) => n.address);
const results = (steps: Step[], op: string) => steps.filter((s) => s.op === op && s.status === 'ok').map((s) => s.result as Record<string, unknown>);
const peer = (r: Record<string, unknown> | undefined) => r?.peer as { address: string; port: number } | undefined;
const rule = (v: View | undefined, name: string, match: (r: Host['firewall'][number]) => boolean) => host(v, name).firewall.find(match);

const checks: Record<NetworkScenarioName, (r: Awaited<ReturnType<typeof run>>) => void> = {
  'arp-and-hops': ({ views }) => {
    assert.deepEqual(neighbours(views[0], 'laptop'), [], 'no neighbour before first contact');
    assert.ok(neighbours(views[1], 'laptop').includes('192.168.1.11'), 'ARP resolved phone on laptop');
    assert.ok(neighbours(views[1], 'phone').includes('192.168.1.10'), 'and laptop on phone');
    assert.ok(neighbours(views[2], 'laptop').includes('192.168.1.1'), 'the router is the next hop');
    assert.ok(!neighbours(views[2], 'laptop').includes('203.0.113.80'), 'never the server itself');
    assert.ok(neighbours(views[3], 'server').includes('203.0.113.1'));
    assert.ok(!neighbours(views[3], 'server').includes('192.168.1.10'));
  },
  'one-send-layers': ({ steps, views }) => {
    const last = views.at(-1);
    const tcp = rule(last, 'server', (r) => r.rule?.protocol === 'tcp');
    const udp = rule(last, 'server', (r) => r.rule?.protocol === 'udp');
    assert.ok(tcp && tcp.packets >= 3, `the handshake and the data counted (${tcp?.packets} packets)`);
    assert.ok(tcp.bytes > tcp.packets * 40, 'every TCP packet carries at least 40 bytes of headers');
    assert.equal(udp?.packets, 1);
    assert.equal(udp?.bytes, 20 + 8 + 9, 'IP header, UDP header, 9 bytes of data');
    const from = results(steps, 'recvfrom')[0];
    assert.equal(from?.data, 'hi server');
    assert.equal((from?.from as { address: string }).address, '203.0.113.1');
    assert.equal(results(steps, 'recv')[0]?.data, 'hi server');
  },
  'addresses-live': ({ steps, views }) => {
    const addrs = (name: string) => host(views[0], name).interfaces.flatMap((i) => i.addresses.map((a) => a.address));
    assert.ok(addrs('laptop').includes('192.168.1.10') && addrs('laptop').includes('127.0.0.1'));
    assert.ok(addrs('router').includes('203.0.113.1') && addrs('router').includes('192.168.1.1'));
    assert.ok(host(views[1], 'laptop').routes.some((r) => r.destination === 'default' && r.gateway === '192.168.1.1'));
    assert.equal((results(steps, 'connect')[0]?.local as { address: string }).address, '192.168.1.10');
    assert.equal(peer(results(steps, 'accept')[0])?.address, '203.0.113.1', 'server sees the router, not laptop');
  },
  'nat-and-forward': ({ steps, views }) => {
    const [a, b, inside] = results(steps, 'accept').map(peer);
    assert.equal(a?.address, '203.0.113.1');
    assert.equal(b?.address, '203.0.113.1');
    assert.notEqual(a?.port, b?.port, 'told apart by the port the router chose');
    assert.ok([a?.port, b?.port].includes(41500));
    const tracked = host(views[9], 'router').conntrack;
    if (tracked) assert.equal(tracked.filter((t) => t.protocol === 'tcp' && t.original.destinationPort === 41005 && t.sourceNat).length, 2);
    assert.equal(inside?.address, '203.0.113.80', 'a forward rewrites only the destination');
    assert.ok((views.at(-1)?.forwards[0]?.packets ?? 0) >= 1, 'the forward counted the connection');
  },
  'drop-reject-stateful': ({ views, outcomes }) => {
    const dropAt = outcomes.findIndex((o) => o.actual === 'ETIMEDOUT');
    const drop = rule(views[dropAt], 'server', (r) => r.rule?.verdict === 'drop');
    assert.ok(drop && drop.packets >= 2, `the SYN and its retransmits were dropped (${drop?.packets})`);
    const refusedAt = outcomes.findIndex((o) => o.actual === 'ECONNREFUSED');
    assert.equal(rule(views[refusedAt], 'server', (r) => r.rule?.verdict === 'reject')?.packets, 1, 'one SYN, one RST, no retransmits');
    const replies = rule(views.at(-1), 'server', (r) => r.rule?.state?.includes('established') ?? false);
    assert.ok(replies && replies.packets >= 1, 'replies to server\'s own connect matched the stateful rule');
  },
  'http-on-the-sandbox': ({ steps }) => {
    // The web server is the lab's http program: its calls are steps with ids of its own ('http-N').
    const byServer = steps.filter((s) => String(s.id).startsWith('http-'));
    const byGuide = steps.filter((s) => !String(s.id).startsWith('http-'));
    const served = results(byServer, 'recv').filter((r) => 'data' in r).map((r) => r.data);
    assert.equal(served[0], 'GET / HTTP/1.1\r\nHost: 203.0.113.80\r\nConnection: close\r\n\r\n', 'the server read the request as sent');
    const reads = results(byGuide, 'recv').filter((r) => 'data' in r).map((r) => r.data);
    assert.match(String(reads[0]), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello from 203\.0\.113\.80:80: you are 203\.0\.113\.1:\d+ and asked for \/\n$/);
    // The lab alone (no pages built) still answers HTTP on its own port: a status line, whatever it says.
    assert.match(String(reads[1]), /^HTTP\/1\.1 \d{3} /, 'the site port\'s own answer');
  },
};

describe('the network scenarios of lessons 2-6 and 12 on the real sandbox', { skip: needs('unshare', 'ip', 'nft'), timeout: 240_000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab();
  });
  after(async () => {
    await server?.close();
  });

  for (const name of Object.keys(NETWORK_SCENARIOS) as NetworkScenarioName[]) {
    it(`${name}: every step answers as the script expects, and the kernel shows what it teaches`, { timeout: 60_000 }, async () => {
      const r = await run(server, name, server.port);
      assert.deepEqual(r.outcomes.filter((o) => o.actual !== o.expect), [], 'steps whose real answer differs from the script');
      checks[name](r);
    });
  }
});
