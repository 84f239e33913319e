/**
 * The call advice on each socket card (app/_lib/lab/next-call.ts) against the real kernel: for
 * sockets in each state a learner reaches, every call the card marks as likely to fail is made for
 * real and must fail with the errno the mark names, and the preselected call must not fail (it may
 * wait: a blocking accept or recv). The advice reads the same state the browser derives, built
 * here by the browser's own reducer from the real step events and kernel rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { Op, Step } from '../../server/protocol/index.ts';
import { applyKernel, applyStep, EMPTY_LAB, type LabState } from '../../app/_lib/lab/state.ts';
import { adviseCalls, factsOf } from '../../app/_lib/lab/next-call.ts';
import { connect, kernelRows, ok, startLab, type Connected } from '../helpers/lab.ts';

describe('call advice against the native engine', () => {
  let server: RunningServer;
  before(async () => {
    server = await startLab({ engine: 'native' });
  });
  after(async () => {
    await server?.close();
  });

  /** The browser's view of this session now: its steps and a fresh kernel read. */
  async function view(c: Connected): Promise<LabState> {
    let state = c.steps().reduce<LabState>((s, step) => applyStep(s, step), EMPTY_LAB);
    const rows = await kernelRows(c);
    state = applyKernel(state, rows, Number.MAX_SAFE_INTEGER);
    return state;
  }

  /** Arguments a learner's card would send for an op on this socket. */
  function argsFor(op: Op, sock: string, to: { tcp: number; udp: number }): Record<string, unknown> {
    switch (op) {
      case 'bind':
        return { sock, address: '127.0.0.1', port: 0 };
      case 'connect':
        return { sock, address: '127.0.0.1', port: to.tcp };
      case 'send':
        return { sock, data: 'x' };
      case 'sendto':
        return { sock, data: 'x', address: '127.0.0.1', port: to.udp };
      case 'recv':
      case 'recvfrom':
        return { sock, max: 10 };
      case 'shutdown':
        return { sock, how: 'write' };
      case 'setblocking':
        return { sock, blocking: false };
      default:
        return { sock };
    }
  }

  /** Makes one call; 'blocked' as soon as the server reports it waiting. */
  async function attempt(c: Connected, op: Op, args: Record<string, unknown>): Promise<string> {
    const id = `adv-${Math.random().toString(36).slice(2)}`;
    const reply = c.client.call(op, args as never, id).then((r) => (r.ok ? 'ok' : r.error.code));
    const blocked = c.waitEvent((e) => e.event === 'step' && (e as Step).id === id && (e as Step).status === 'blocked', 3000).then(
      () => 'blocked',
      () => new Promise<string>(() => {}),
    );
    return Promise.race([reply, blocked]);
  }

  /**
   * `keep`: marked calls not made here because they change the socket even as they fail (Linux
   * records shutdown() on an unconnected TCP socket while answering ENOTCONN, and a send() on an
   * unbound UDP socket binds it before answering EDESTADDRREQ); a throwaway socket checks those.
   */
  async function checkAdvice(c: Connected, handle: string, to: { tcp: number; udp: number }, what: string, { keep = [], throwaway = false }: { keep?: Op[]; throwaway?: boolean } = {}) {
    const state = await view(c);
    const sock = state.sockets.find((s) => s.handle === handle);
    assert.ok(sock, `${what}: ${handle} is on a card`);
    const advice = adviseCalls(factsOf(sock, state.kernel));
    for (const [op, expect] of Object.entries(advice.likelyFail) as [Op, { code: string }][]) {
      if (keep.includes(op)) continue;
      const got = await attempt(c, op, argsFor(op, handle, to));
      assert.equal(got, expect.code, `${what}: ${op}() on ${handle} is marked to fail with ${expect.code}`);
    }
    assert.ok(advice.suggested, `${what}: a call is preselected`);
    if (throwaway) return advice;
    const got = await attempt(c, advice.suggested, argsFor(advice.suggested, handle, to));
    assert.ok(got === 'ok' || got === 'blocked' || got === 'EAGAIN', `${what}: the preselected ${advice.suggested}() on ${handle} answered ${got}`);
    return advice;
  }

  it('marks and preselects calls that the kernel then answers as said, TCP and UDP', { timeout: 30_000 }, async () => {
    const c = await connect(server);
    try {
      // Targets: a listening socket and a bound UDP socket in another session.
      const other = await connect(server);
      const l = await ok(other.client.call('socket', { type: 'tcp', actor: 'server' }));
      const lport = (await ok(other.client.call('bind', { sock: l.sock, address: '127.0.0.1', port: 0 }))).port;
      await ok(other.client.call('listen', { sock: l.sock, backlog: 20 }));
      const u = await ok(other.client.call('socket', { type: 'udp', actor: 'receiver' }));
      const uport = (await ok(other.client.call('bind', { sock: u.sock, address: '127.0.0.1', port: 0 }))).port;
      const to = { tcp: lport, udp: uport };

      // A fresh server socket: bind is preselected, accept/send/recv/shutdown are marked.
      const s1 = await ok(c.client.call('socket', { type: 'tcp', actor: 'server' }));
      const fresh = await checkAdvice(c, s1.sock, to, 'fresh server socket');
      assert.equal(fresh.suggested, 'bind');
      assert.deepEqual(Object.keys(fresh.likelyFail).sort(), ['accept', 'getpeername', 'recv', 'send', 'shutdown']);

      // Now bound (the preselected bind ran): listen comes next, and a second bind is marked.
      const bound = await checkAdvice(c, s1.sock, to, 'bound server socket');
      assert.equal(bound.suggested, 'listen');
      assert.equal(bound.likelyFail.bind?.code, 'EINVAL');

      // Now listening: accept comes next (it waits: nobody connected).
      const listening = await checkAdvice(c, s1.sock, to, 'listening socket');
      assert.equal(listening.suggested, 'accept');
      assert.equal(listening.likelyFail.connect?.code, 'EISCONN');
      await ok(c.client.call('close', { sock: s1.sock }));

      // A client: connect is preselected; once connected, send; bind/listen/accept/connect marked.
      const s2 = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
      const throwaway = await ok(c.client.call('socket', { type: 'tcp', actor: 'client' }));
      assert.equal((await checkAdvice(c, throwaway.sock, to, 'fresh client socket', { throwaway: true })).suggested, 'connect');
      assert.equal((await checkAdvice(c, s2.sock, to, 'fresh client socket', { keep: ['shutdown'] })).suggested, 'connect');
      const connected = await checkAdvice(c, s2.sock, to, 'connected client');
      assert.equal(connected.suggested, 'send');
      assert.deepEqual(Object.keys(connected.likelyFail).sort(), ['accept', 'bind', 'listen']);

      // Its writing side shut: send is marked (EPIPE), recv is preselected.
      await ok(c.client.call('shutdown', { sock: s2.sock, how: 'write' }));
      const shut = await checkAdvice(c, s2.sock, to, 'client after shutdown(write)');
      assert.equal(shut.likelyFail.send?.code, 'EPIPE');

      // UDP: a fresh receiver binds; bound, it receives; listen and accept are always marked.
      const udpThrowaway = await ok(c.client.call('socket', { type: 'udp', actor: 'receiver' }));
      await checkAdvice(c, udpThrowaway.sock, to, 'fresh UDP socket', { throwaway: true });
      const s3 = await ok(c.client.call('socket', { type: 'udp', actor: 'receiver' }));
      const udpFresh = await checkAdvice(c, s3.sock, to, 'fresh UDP socket', { keep: ['send'] });
      assert.equal(udpFresh.suggested, 'bind');
      assert.equal(udpFresh.likelyFail.send?.code, 'EDESTADDRREQ');
      const udpBound = await checkAdvice(c, s3.sock, to, 'bound UDP socket');
      assert.equal(udpBound.suggested, 'recvfrom');
      assert.equal(udpBound.likelyFail.listen?.code, 'EOPNOTSUPP');
      other.client.close();
    } finally {
      c.client.close();
    }
  });
});
