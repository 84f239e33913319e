/**
 * Free play's help, as pure logic: which outcomes are expected rather than failures
 * (app/_lib/lab/outcome.ts), the call each card preselects and the calls it marks
 * (next-call.ts), the coach line after a call (coach.ts), and the scenario counter.
 * tests/integration/lab-advice.test.ts checks the marks against the real kernel.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KernelRow, Step } from '../../server/protocol/index.ts';
import { applyKernel, applyStep, EMPTY_LAB, type LabState, type SockView } from '../../app/_lib/lab/state.ts';
import { expectedLabel, outcomeOf } from '../../app/_lib/lab/outcome.ts';
import { adviseCalls, factsOf } from '../../app/_lib/lab/next-call.ts';
import { coachFor, nextText } from '../../app/_lib/lab/coach.ts';
import { scenarioCounter } from '../../app/_lib/lab/scenario-counter.ts';

let clock = 1_700_000_000_000;
/** Fixtures are written loosely (any args, any result, any code); the cast below is the test's, not the product's. */
type LooseStep = Omit<Step, 'args' | 'result' | 'error'> & { args: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: string; message: string } };
function step(seq: number, actor: string, op: Step['op'], args: Record<string, unknown>, outcome: Partial<LooseStep> = {}): Step {
  clock += 10;
  const sock = typeof args.sock === 'string' ? args.sock : undefined;
  const loose: LooseStep = { event: 'step', seq, id: seq, actor, op, sock, args, status: 'ok', result: {}, start: clock, end: clock + 1, ...outcome };
  return loose as Step;
}
const ok = (result: Record<string, unknown>): Partial<LooseStep> => ({ status: 'ok', result });
const failed = (code: string): Partial<LooseStep> => ({ status: 'error', result: undefined, error: { code, message: `${code} happened` } });
const blocked: Partial<LooseStep> = { status: 'blocked', result: undefined, end: undefined };
const run = (steps: Step[], from: LabState = EMPTY_LAB) => steps.reduce(applyStep, from);
const sockOf = (s: LabState, h: string): SockView => s.sockets.find((x) => x.handle === h)!;
function row(over: Partial<KernelRow> & Pick<KernelRow, 'state'>): KernelRow {
  return { proto: 'tcp', local: { address: '127.0.0.1', port: 41000 }, remote: { address: '0.0.0.0', port: 0 }, rxQueue: 0, txQueue: 0, inode: 1, relation: 'own', ...over };
}

const SOCKET = step(1, 'server', 'socket', { type: 'tcp', actor: 'server' }, ok({ sock: 's1', fd: 21 }));
const BIND = step(2, 'server', 'bind', { sock: 's1', address: '127.0.0.1', port: 0 }, ok({ address: '127.0.0.1', port: 41234 }));
const LISTEN = step(3, 'server', 'listen', { sock: 's1', backlog: 5 }, ok({ backlog: 5 }));
const CLIENT = step(4, 'client', 'socket', { type: 'tcp', actor: 'client' }, ok({ sock: 's2', fd: 22 }));
const CONNECT = step(5, 'client', 'connect', { sock: 's2', address: '127.0.0.1', port: 41234 }, ok({ local: { address: '127.0.0.1', port: 50000 } }));
const ACCEPT = step(6, 'server', 'accept', { sock: 's1' }, ok({ sock: 's3', fd: 23, peer: { address: '127.0.0.1', port: 50000 }, local: { address: '127.0.0.1', port: 41234 } }));

describe('expected outcomes', () => {
  test('EINPROGRESS from connect and EAGAIN from a read are not failures', () => {
    assert.equal(expectedLabel('connect', 'EINPROGRESS'), 'in progress');
    assert.equal(expectedLabel('recvfrom', 'EWOULDBLOCK'), 'nothing yet');
    assert.equal(expectedLabel('sendto', 'EAGAIN'), 'no room yet');
    assert.equal(expectedLabel('connect', 'ECONNREFUSED'), null);
    assert.equal(expectedLabel('listen', 'EAGAIN'), null);
    assert.equal(outcomeOf({ op: 'recv', status: 'error', error: { code: 'EAGAIN', message: '' } }), 'expected');
    assert.equal(outcomeOf({ op: 'bind', status: 'error', error: { code: 'EADDRINUSE', message: '' } }), 'error');
    assert.equal(outcomeOf({ op: 'accept', status: 'blocked' }), 'blocked');
    assert.equal(outcomeOf({ op: 'accept', status: 'ok' }), 'ok');
  });
});

describe('the call each card preselects', () => {
  const advise = (s: LabState, h: string, kernel: KernelRow[] = []) => adviseCalls(factsOf(sockOf(s, h), kernel));

  test('a TCP socket on its way to serving: bind, then listen, then accept', () => {
    assert.equal(advise(run([SOCKET]), 's1').suggested, 'bind');
    assert.equal(advise(run([SOCKET, BIND]), 's1').suggested, 'listen');
    assert.equal(advise(run([SOCKET, BIND, LISTEN]), 's1').suggested, 'accept');
  });

  test('a client connects, then sends; an accepted socket receives first', () => {
    const s = run([SOCKET, BIND, LISTEN, CLIENT]);
    assert.equal(advise(s, 's2').suggested, 'connect');
    const c = run([CONNECT, ACCEPT], s);
    assert.equal(advise(c, 's2').suggested, 'send');
    assert.equal(advise(c, 's3').suggested, 'recv');
  });

  test('what the kernel view says decides between send, recv and close', () => {
    const c = run([SOCKET, BIND, LISTEN, CLIENT, CONNECT]);
    assert.equal(advise(c, 's2', [row({ state: 'ESTABLISHED', sock: 's2', rxQueue: 12 })]).suggested, 'recv', 'bytes wait');
    assert.equal(advise(c, 's2', [row({ state: 'CLOSE_WAIT', sock: 's2' })]).suggested, 'close', 'the peer closed');
  });

  test('UDP: a receiver binds then receives, a sender sends to an address', () => {
    const r = run([step(1, 'receiver', 'socket', { type: 'udp', actor: 'receiver' }, ok({ sock: 's1', fd: 3 }))]);
    assert.equal(advise(r, 's1').suggested, 'bind');
    const b = run([step(2, 'receiver', 'bind', { sock: 's1', address: '127.0.0.1', port: 0 }, ok({ address: '127.0.0.1', port: 41000 }))], r);
    assert.equal(advise(b, 's1').suggested, 'recvfrom');
    const snd = run([step(1, 'sender', 'socket', { type: 'udp', actor: 'sender' }, ok({ sock: 's1', fd: 3 }))]);
    assert.equal(advise(snd, 's1').suggested, 'sendto');
  });

  test('a closed socket has nothing to preselect', () => {
    assert.deepEqual(advise(run([SOCKET, step(2, 'server', 'close', { sock: 's1' }, ok({}))]), 's1'), { suggested: null, likelyFail: {} });
  });
});

describe('the calls each card marks as likely to fail', () => {
  const marks = (s: LabState, h: string) => Object.fromEntries(Object.entries(adviseCalls(factsOf(sockOf(s, h), [])).likelyFail).map(([op, m]) => [op, m!.code]));

  test('TCP by state', () => {
    assert.deepEqual(marks(run([SOCKET]), 's1'), { accept: 'EINVAL', send: 'EPIPE', recv: 'ENOTCONN', getpeername: 'ENOTCONN', shutdown: 'ENOTCONN' });
    assert.deepEqual(marks(run([SOCKET, BIND, LISTEN]), 's1'), { bind: 'EINVAL', connect: 'EISCONN', send: 'EPIPE', recv: 'ENOTCONN', getpeername: 'ENOTCONN' });
    const connected = run([SOCKET, BIND, LISTEN, CLIENT, CONNECT]);
    assert.deepEqual(marks(connected, 's2'), { bind: 'EINVAL', listen: 'EINVAL', accept: 'EINVAL' });
    const shut = run([step(6, 'client', 'shutdown', { sock: 's2', how: 'write' }, ok({}))], connected);
    assert.equal(marks(shut, 's2').send, 'EPIPE');
  });

  test('UDP', () => {
    const u = run([step(1, 'x', 'socket', { type: 'udp' }, ok({ sock: 's1', fd: 3 }))]);
    assert.deepEqual(marks(u, 's1'), { listen: 'EOPNOTSUPP', accept: 'EOPNOTSUPP', send: 'EDESTADDRREQ', getpeername: 'ENOTCONN', shutdown: 'ENOTCONN' });
    const c = run([step(2, 'x', 'connect', { sock: 's1', address: '127.0.0.1', port: 41000 }, ok({ local: { address: '127.0.0.1', port: 50000 } }))], u);
    assert.deepEqual(marks(c, 's1'), { listen: 'EOPNOTSUPP', accept: 'EOPNOTSUPP', bind: 'EINVAL' });
  });

  test('the fallback engine: the option calls are marked E_UNSUPPORTED, on the native one they are not', () => {
    const s = run([SOCKET]);
    const onNode = adviseCalls(factsOf(sockOf(s, 's1'), [], 'node')).likelyFail;
    assert.equal(onNode.setsockopt?.code, 'E_UNSUPPORTED');
    assert.equal(onNode.getsockopt?.code, 'E_UNSUPPORTED');
    assert.match(onNode.setsockopt?.why ?? '', /fallback engine/);
    const onNative = adviseCalls(factsOf(sockOf(s, 's1'), [], 'native')).likelyFail;
    assert.equal(onNative.setsockopt, undefined);
    assert.equal(onNative.getsockopt, undefined);
  });
});

describe('the coach line', () => {
  test('listen: the kernel state from its view, and the calls that make sense next', () => {
    const s = run([SOCKET, BIND, LISTEN, CLIENT]);
    const coach = coachFor(s.steps.at(-2)!, s.sockets, [row({ state: 'LISTEN', sock: 's1', local: { address: '127.0.0.1', port: 41234 } })]);
    assert.equal(coach.tone, 'ok');
    assert.match(coach.text, /s1 as LISTEN/);
    assert.match(coach.text, /up to 5 connections/);
    assert.deepEqual(coach.next, [
      { sock: 's1', op: 'accept' },
      { sock: 's2', op: 'connect' },
    ]);
    assert.equal(nextText(coach.next), 'Next: accept() on s1 or connect() on s2.');
  });

  test('connect: the new connection waits in the listener\'s queue until accept', () => {
    const s = run([SOCKET, BIND, LISTEN, CLIENT, CONNECT]);
    const coach = coachFor(s.steps.at(-1)!, s.sockets, [row({ state: 'ESTABLISHED', sock: 's2' })]);
    assert.match(coach.text, /handshake is done: s2 is ESTABLISHED from 127\.0\.0\.1:50000 to 127\.0\.0\.1:41234\. It waits in s1's accept queue/);
    assert.deepEqual(coach.next[0], { sock: 's1', op: 'accept' });
  });

  test('an error says what went wrong in this case, and the socket\'s next call', () => {
    const s = run([SOCKET, BIND, LISTEN, step(4, 'server', 'socket', { type: 'tcp', actor: 'server' }, ok({ sock: 's2', fd: 9 })), step(5, 'server', 'bind', { sock: 's2', address: '127.0.0.1', port: 41234 }, failed('EADDRINUSE'))]);
    const coach = coachFor(s.steps.at(-1)!, s.sockets, []);
    assert.equal(coach.tone, 'error');
    assert.match(coach.text, /127\.0\.0\.1:41234 is taken/);
    assert.match(coach.text, /another port, or port 0/, 'it says how to get past it');
    assert.deepEqual(coach.next, [{ sock: 's2', op: 'bind' }]);
  });

  test('an expected EAGAIN is explained as not a failure', () => {
    const s = run([SOCKET, BIND, LISTEN, step(4, 'server', 'setblocking', { sock: 's1', blocking: false }, ok({})), step(5, 'server', 'accept', { sock: 's1' }, failed('EAGAIN'))]);
    const coach = coachFor(s.steps.at(-1)!, s.sockets, []);
    assert.equal(coach.tone, 'expected');
    assert.match(coach.text, /non-blocking, so accept\(\) returned at once/);
  });

  test('a blocked accept says what it waits for', () => {
    const s = run([SOCKET, BIND, LISTEN, step(4, 'server', 'accept', { sock: 's1' }, blocked)]);
    assert.match(coachFor(s.steps.at(-1)!, s.sockets, []).text, /accept\(\) is waiting: s1's accept queue is empty/);
  });

  test('recv of EOF names the state from the kernel view and suggests close', () => {
    const s = run([SOCKET, BIND, LISTEN, CLIENT, CONNECT, ACCEPT, step(7, 'server', 'recv', { sock: 's3' }, ok({ bytes: 0, eof: true }))]);
    const rows = [row({ state: 'CLOSE_WAIT', sock: 's3' })];
    const coach = coachFor(s.steps.at(-1)!, s.sockets, rows);
    assert.match(coach.text, /EOF: the peer closed its side, so s3 is CLOSE_WAIT/);
    assert.deepEqual(coach.next, [{ sock: 's3', op: 'close' }]);
  });

  test('send points at the peer\'s recv', () => {
    const s = run([SOCKET, BIND, LISTEN, CLIENT, CONNECT, ACCEPT, step(7, 'client', 'send', { sock: 's2', data: 'x' }, ok({ bytes: 1 }))]);
    const coach = coachFor(s.steps.at(-1)!, s.sockets, []);
    assert.match(coach.text, /^1 byte went into the kernel's send buffer; s3's kernel holds them/);
    assert.deepEqual(coach.next[0], { sock: 's3', op: 'recv' });
  });

  test('the kernel view fills in a local address a non-blocking connect did not return', () => {
    const s = run([SOCKET, BIND, LISTEN, CLIENT, step(5, 'client', 'setblocking', { sock: 's2', blocking: false }, ok({})), step(6, 'client', 'connect', { sock: 's2', address: '127.0.0.1', port: 41234 }, failed('EINPROGRESS'))]);
    assert.equal(sockOf(s, 's2').local, undefined);
    const k = applyKernel(s, [row({ state: 'ESTABLISHED', sock: 's2', local: { address: '127.0.0.1', port: 50001 } })], 6);
    assert.deepEqual(sockOf(k, 's2').local, { address: '127.0.0.1', port: 50001 });
  });
});

describe('the scenario counter', () => {
  test('steps done and the next call, then a clean end', () => {
    assert.equal(scenarioCounter(0, 13, 'socket'), '0 of 13 done · next: socket');
    assert.equal(scenarioCounter(5, 13, 'accept'), '5 of 13 done · next: accept');
    assert.equal(scenarioCounter(12, 13, 'close'), '12 of 13 done · next: close');
    assert.equal(scenarioCounter(13, 13, undefined), 'all 13 done');
  });
});
