/**
 * Protocol validation, op by op: every bad input in the table is answered E_BAD_REQUEST with its own
 * id, produces no step (a step is broadcast for every command that passes validation, refusals by
 * the lab included, so "no step" means no handler and no engine ever saw it), and leaves the
 * session working. The table is written out by hand, independently of the schemas it checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { connect, ok, startLab, type Connected } from '../helpers/lab.ts';

const EXTRA = { unexpected: 1 };

/** op → args that must each be refused. `s1` is a real TCP socket, `s2` a real UDP socket. */
const BAD: Record<string, Record<string, unknown>[]> = {
  socket: [
    {},
    { type: 'sctp' },
    { type: 1 },
    { type: 'tcp', family: 5 },
    { type: 'tcp', family: '4' },
    { type: 'tcp', family: 4.5 },
    { type: 'tcp', actor: '' },
    { type: 'tcp', actor: '<script>' },
    { type: 'tcp', actor: 'x'.repeat(25) },
    { type: 'tcp', ...EXTRA },
    { type: 'tcp', host: 'mars' },
    { type: 'tcp', host: '' },
    { type: 'tcp', host: 1 },
  ],
  bind: [
    { sock: 's1', address: '127.0.0.1', port: -1 },
    { sock: 's1', address: '127.0.0.1', port: 70000 },
    { sock: 's1', address: '127.0.0.1', port: 65536 },
    { sock: 's1', address: '127.0.0.1', port: 1.5 },
    { sock: 's1', address: '127.0.0.1', port: '41000' },
    { sock: 's1', address: '127.0.0.1', port: null },
    { sock: 's1', address: '127.0.0.1' },
    { sock: 's1', port: 41000 },
    { sock: 's1', address: 127, port: 41000 },
    { sock: 's1', address: '', port: 41000 },
    { sock: 's1', address: '1'.repeat(65), port: 41000 },
    { address: '127.0.0.1', port: 41000 },
    { sock: 's0', address: '127.0.0.1', port: 41000 },
    { sock: 'S1', address: '127.0.0.1', port: 41000 },
    { sock: '../s1', address: '127.0.0.1', port: 41000 },
    { sock: 's1 ', address: '127.0.0.1', port: 41000 },
    { sock: 1, address: '127.0.0.1', port: 41000 },
    { sock: 's1234567', address: '127.0.0.1', port: 41000 },
    { sock: 's1', address: '127.0.0.1', port: 41000, ...EXTRA },
  ],
  listen: [{}, { sock: 's1', backlog: -1 }, { sock: 's1', backlog: 129 }, { sock: 's1', backlog: 1.5 }, { sock: 's1', backlog: '5' }, { sock: 's1', ...EXTRA }],
  accept: [{}, { sock: null }, { sock: 's1', ...EXTRA }],
  connect: [
    { sock: 's1', address: '127.0.0.1', port: -1 },
    { sock: 's1', address: '127.0.0.1', port: 70000 },
    { sock: 's1', address: '127.0.0.1', port: 1.5 },
    { sock: 's1', address: '127.0.0.1' },
    { sock: 's1', address: ['127.0.0.1'], port: 41000 },
    { sock: 's1', address: '127.0.0.1', port: 41000, ...EXTRA },
  ],
  send: [
    { sock: 's1' },
    { sock: 's1', data: 5 },
    { sock: 's1', data: null },
    { sock: 's1', data: 'x', encoding: 'hex' },
    { sock: 'x', data: 'x' },
    { data: 'x' },
    { sock: 's1', data: 'x', ...EXTRA },
    { sock: 's1', data: 'x', address: '127.0.0.1' },
  ],
  recv: [{ sock: 's1', max: 0 }, { sock: 's1', max: 65537 }, { sock: 's1', max: 1.5 }, { sock: 's1', max: '10' }, { sock: 's1', max: -1 }, { sock: 's1', ...EXTRA }],
  sendto: [
    { sock: 's2', data: 'x', address: '127.0.0.1', port: -1 },
    { sock: 's2', data: 'x', address: '127.0.0.1', port: 70000 },
    { sock: 's2', data: 'x', address: '127.0.0.1', port: 1.5 },
    { sock: 's2', data: 'x', port: 41000 },
    { sock: 's2', address: '127.0.0.1', port: 41000 },
    { sock: 's2', data: null, address: '127.0.0.1', port: 41000 },
    { sock: 's2', data: 'x', address: '127.0.0.1', port: 41000, encoding: 'latin1' },
    { sock: 's2', data: 'x', address: '127.0.0.1', port: 41000, ...EXTRA },
  ],
  recvfrom: [{ sock: 's2', max: 0 }, { sock: 's2', max: 65537 }, { sock: 's2', max: true }, { sock: 's2', ...EXTRA }],
  shutdown: [{ sock: 's1', how: 'sideways' }, { sock: 's1' }, { sock: 's1', how: 1 }, { sock: 's1', how: 'READ' }, { sock: 's1', how: 'both', ...EXTRA }],
  close: [{}, { sock: 's1', ...EXTRA }, { sock: ['s1'] }],
  setblocking: [{ sock: 's1' }, { sock: 's1', blocking: 'yes' }, { sock: 's1', blocking: 1 }, { sock: 's1', blocking: null }, { sock: 's1', blocking: false, ...EXTRA }],
  kernel: [EXTRA, { rows: [] }],
  run: [
    { program: 'echo', sock: 's1' },
    { program: 'chat' },
    { program: 'chat', sock: 's1', log: 'all' },
    { program: 'chat', sock: 's1', idleSeconds: 0 },
    { program: 'chat', sock: 's1', idleSeconds: 1.5 },
    { program: 'chat', sock: 's1', floodLines: 1 },
    { program: 'chat', sock: 's1', ...EXTRA },
  ],
  stop: [{}, { program: 'echo' }, { program: 'chat', ...EXTRA }],
  network: [
    {},
    { action: 'build' },
    { action: 'create' },
    { action: 'create', topology: 'office' },
    { action: 'create', topology: 'home', ...EXTRA },
    { action: 'show', topology: 'home' },
    { action: 'destroy', ...EXTRA },
    { action: ['create'], topology: 'home' },
  ],
  firewall: [
    {},
    { action: 'list' },
    { host: 'mars', action: 'list' },
    { host: 'server', action: 'allow' },
    { host: 'server', action: 'add' },
    { host: 'server', action: 'add', rule: { chain: 'prerouting', verdict: 'drop' } },
    { host: 'server', action: 'add', rule: { chain: 'input' } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'log' } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'drop', destinationPort: 0 } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'drop', destinationPort: 70000 } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'drop', source: 'x'.repeat(65) } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'drop', state: [] } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'drop', state: ['invalid'] } },
    { host: 'server', action: 'add', rule: { chain: 'input', verdict: 'drop', nft: 'flush ruleset' } },
    { host: 'server', action: 'add', rule: 'tcp dport 80 drop' },
    { host: 'server', action: 'delete', id: 0 },
    { host: 'server', action: 'delete', id: 1.5 },
    { host: 'server', action: 'list', ...EXTRA },
  ],
  forward: [
    {},
    { action: 'add' },
    { action: 'add', forward: { protocol: 'icmp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 80 } },
    { action: 'add', forward: { protocol: 'tcp', wanPort: 0, lanAddress: '192.168.1.10', lanPort: 80 } },
    { action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10' } },
    { action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '', lanPort: 80 } },
    { action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 80, ...EXTRA } },
    { action: 'list', host: 'router' },
  ],
  ping: [
    {},
    { host: 'laptop' },
    { address: '203.0.113.80' },
    { host: 'mars', address: '203.0.113.80' },
    { host: 'laptop', address: '' },
    { host: 'laptop', address: '203.0.113.80', count: 0 },
    { host: 'laptop', address: '203.0.113.80', count: 11 },
    { host: 'laptop', address: '203.0.113.80', count: 1.5 },
    { host: 'laptop', address: '203.0.113.80', ...EXTRA },
  ],
  getsockname: [{}, { sock: 1 }, { sock: 's1', ...EXTRA }],
  getpeername: [{}, { sock: null }, { sock: 's1', ...EXTRA }],
  setsockopt: [
    { sock: 's1', option: 'SO_BROADCAST', value: 1 },
    { sock: 's1', option: 'so_reuseaddr', value: 1 },
    { sock: 's1', option: 2, value: 1 },
    { sock: 's1', option: 'SO_REUSEADDR' },
    { sock: 's1', option: 'SO_REUSEADDR', value: true },
    { sock: 's1', option: 'SO_REUSEADDR', value: -1 },
    { sock: 's1', option: 'SO_REUSEADDR', value: 1.5 },
    { sock: 's1', option: 'SO_LINGER', value: { onoff: 1, linger: 0 } },
    { sock: 's1', option: 'SO_LINGER', value: { onoff: true, linger: -1 } },
    { sock: 's1', option: 'SO_LINGER', value: { onoff: true, linger: 0, extra: 1 } },
    { sock: 's1', option: 'SO_REUSEADDR', value: 1, ...EXTRA },
  ],
  getsockopt: [{ sock: 's1' }, { sock: 's1', option: 'TCP_INFO' }, { sock: 's1', option: 'SO_ERROR', value: 0 }],
  poll: [
    {},
    { timeout: 0 },
    { socks: [{ sock: 's1', events: ['in'] }] },
    { socks: [], timeout: 0 },
    { socks: 's1', timeout: 0 },
    { socks: [{ sock: 's1' }], timeout: 0 },
    { socks: [{ sock: 's1', events: [] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['pri'] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['IN'] }], timeout: 0 },
    { socks: [{ sock: 's1', events: 'in' }], timeout: 0 },
    { socks: [{ sock: 's1', events: [1] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['in', 'in'] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['in', 'out', 'in'] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['in'], ...EXTRA }], timeout: 0 },
    { socks: [{ sock: 's0', events: ['in'] }], timeout: 0 },
    { socks: [{ sock: 1, events: ['in'] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['in'] }, { sock: 's1', events: ['out'] }], timeout: 0 },
    { socks: [{ sock: 's1', events: ['in'] }, { sock: 's2', events: ['in'] }, { sock: 's1', events: ['in'] }], timeout: 0 },
    { socks: Array.from({ length: 65 }, (_, i) => ({ sock: `s${i + 1}`, events: ['in'] })), timeout: 0 },
    { socks: [{ sock: 's1', events: ['in'] }], timeout: -2 },
    { socks: [{ sock: 's1', events: ['in'] }], timeout: 60_001 },
    { socks: [{ sock: 's1', events: ['in'] }], timeout: 1.5 },
    { socks: [{ sock: 's1', events: ['in'] }], timeout: '100' },
    { socks: [{ sock: 's1', events: ['in'] }], timeout: null },
    { socks: [{ sock: 's1', events: ['in'] }], timeout: 0, ...EXTRA },
  ],
};

/** Whole frames that are not commands at all; each names its id so the reply can be matched. */
const BAD_FRAMES: [string, unknown][] = [
  ['unknown op', { id: 'f1', op: 'fork', args: {} }],
  ['prototype op', { id: 'f2', op: '__proto__', args: {} }],
  ['no args', { id: 'f3', op: 'socket' }],
  ['args an array', { id: 'f4', op: 'kernel', args: [] }],
  ['args null', { id: 'f5', op: 'kernel', args: null }],
  ['an extra top-level key', { id: 'f6', op: 'kernel', args: {}, extra: true }],
  ['op not a string', { id: 'f7', op: 7, args: {} }],
];

describe('protocol validation, per op', () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ commandsPerSecond: 10_000 });
    c = await connect(server);
    await ok(c.client.call('socket', { type: 'tcp' }));
    await ok(c.client.call('socket', { type: 'udp' }));
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  /** Sends a raw frame; resolves with its reply. */
  function raw(frame: unknown, id: string | number): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
    return new Promise((resolve) => {
      const off = c.client.on((e) => {
        if (e.event === 'orphan-reply' && e.reply.id === id) {
          off();
          resolve(e.reply);
        }
      });
      c.ws.send(JSON.stringify(frame));
    });
  }

  for (const [op, cases] of Object.entries(BAD)) {
    it(`${op}: every bad input is E_BAD_REQUEST and reaches no handler`, async () => {
      const stepsBefore = c.steps().length;
      for (const [i, args] of cases.entries()) {
        const id = `${op}-${i}`;
        const reply = await raw({ id, op, args }, id);
        assert.equal(reply.ok, false, `${op} ${JSON.stringify(args)} was accepted`);
        assert.equal(reply.error?.code, 'E_BAD_REQUEST', `${op} ${JSON.stringify(args)}: ${reply.error?.message}`);
      }
      // A step is sent before the reply for every dispatched command: none may have appeared.
      assert.equal(c.steps().length, stepsBefore, 'no bad input became a step');
    });
  }

  it('frames that are not commands are E_BAD_REQUEST too', async () => {
    const stepsBefore = c.steps().length;
    for (const [what, frame] of BAD_FRAMES) {
      const id = (frame as { id: string }).id;
      const reply = await raw(frame, id);
      assert.equal(reply.error?.code, 'E_BAD_REQUEST', what);
    }
    assert.equal(c.steps().length, stepsBefore);
  });

  it('poll naming a socket the session does not have is E_NO_SOCKET at once, even with no timeout', async () => {
    const reply = await c.client.call('poll', { socks: [{ sock: 's2', events: ['in'] }, { sock: 's99', events: ['in'] }], timeout: -1 });
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.error.code, 'E_NO_SOCKET');
    assert.ok(!c.steps().some((s) => s.op === 'poll' && s.status === 'blocked'), 'nothing waited');
  });

  it('the session is untouched: its sockets still work', async () => {
    const b = await ok(c.client.call('bind', { sock: 's2', address: '127.0.0.1', port: 0 }));
    await ok(c.client.call('sendto', { sock: 's2', data: 'still here', address: '127.0.0.1', port: b.port }));
    const got = await ok(c.client.call('recvfrom', { sock: 's2' }));
    assert.equal(got.data, 'still here');
    assert.ok(c.steps().some((s) => s.op === 'recvfrom' && s.status === 'ok'), 'good calls are steps');
  });
});
