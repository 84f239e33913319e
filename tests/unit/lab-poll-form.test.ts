/**
 * The lab's poll() panel and its help, as pure logic (app/_lib/lab/poll-form.ts, coach.ts): the
 * draft turned into the poll op's arguments (checked by the protocol's own schema), each revent in
 * words, and the coach line and next calls after a poll. tests/e2e/lab-poll.test.ts clicks the
 * panel against the real kernel; tests/integration/lab-poll.test.ts covers the op itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OpArgs, type Step } from '../../server/protocol/index.ts';
import { callForReady, EMPTY_POLL_DRAFT, pollableSockets, pollArgs, reventMeaning, type PollDraft } from '../../app/_lib/lab/poll-form.ts';
import { applyStep, EMPTY_LAB, type LabState, type SockView } from '../../app/_lib/lab/state.ts';
import { coachFor, nextText } from '../../app/_lib/lab/coach.ts';
import { replayPlan } from '../../app/_lib/lab/replayer.ts';

let clock = 1_700_000_000_000;
type LooseStep = Omit<Step, 'args' | 'result' | 'error'> & { args: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: string; message: string } };
function step(seq: number, actor: string, op: Step['op'], args: Record<string, unknown>, outcome: Partial<LooseStep> = {}): Step {
  clock += 10;
  const sock = typeof args.sock === 'string' ? args.sock : undefined;
  const loose: LooseStep = { event: 'step', seq, id: seq, actor, op, sock, args, status: 'ok', result: {}, start: clock, end: clock + 1, ...outcome };
  return loose as Step;
}
const ok = (result: Record<string, unknown>): Partial<LooseStep> => ({ status: 'ok', result });

/** A listener s1, a client s2 connected to it, the accepted s3, and a UDP socket s4. */
const SESSION: Step[] = [
  step(1, 'server', 'socket', { type: 'tcp', actor: 'server' }, ok({ sock: 's1', fd: 21 })),
  step(2, 'server', 'bind', { sock: 's1', address: '127.0.0.1', port: 0 }, ok({ address: '127.0.0.1', port: 41234 })),
  step(3, 'server', 'listen', { sock: 's1', backlog: 5 }, ok({ backlog: 5 })),
  step(4, 'client', 'socket', { type: 'tcp', actor: 'client' }, ok({ sock: 's2', fd: 22 })),
  step(5, 'client', 'connect', { sock: 's2', address: '127.0.0.1', port: 41234 }, ok({ local: { address: '127.0.0.1', port: 50000 } })),
  step(6, 'server', 'accept', { sock: 's1' }, ok({ sock: 's3', fd: 23, peer: { address: '127.0.0.1', port: 50000 }, local: { address: '127.0.0.1', port: 41234 } })),
  step(7, 'server', 'socket', { type: 'udp', actor: 'server' }, ok({ sock: 's4', fd: 24 })),
];
const state: LabState = SESSION.reduce(applyStep, EMPTY_LAB);
const sockOf = (h: string): SockView => state.sockets.find((s) => s.handle === h)!;

describe('the poll draft as arguments', () => {
  const open = pollableSockets(state.sockets);
  const draft = (over: Partial<PollDraft>): PollDraft => ({ ...EMPTY_POLL_DRAFT, ...over });

  test('every open socket is watched for "in" until told otherwise, and "wait" is timeout -1', () => {
    const built = pollArgs(EMPTY_POLL_DRAFT, open);
    assert.ok(built.ok);
    assert.deepEqual(built.args, { socks: ['s1', 's2', 's3', 's4'].map((sock) => ({ sock, events: ['in'] })), timeout: -1 });
    assert.ok(OpArgs.poll.safeParse(built.args).success, 'the protocol takes it');
  });

  test('events per socket: a socket with neither is left out, one with both names both', () => {
    const built = pollArgs(draft({ picks: { s1: { in: false, out: false }, s2: { in: true, out: true }, s4: { in: false, out: false } }, timeout: 'look' }), open);
    assert.ok(built.ok);
    assert.deepEqual(built.args, { socks: [{ sock: 's2', events: ['in', 'out'] }, { sock: 's3', events: ['in'] }], timeout: 0 });
  });

  test('a closed socket is never offered', () => {
    const closed = applyStep(state, step(8, 'client', 'close', { sock: 's2' }, ok({})));
    assert.deepEqual(pollableSockets(closed.sockets).map((s) => s.handle), ['s1', 's3', 's4']);
  });

  test('a timeout in ms: a whole number up to the protocol cap, else the field says why', () => {
    const at = (ms: string) => pollArgs(draft({ timeout: 'ms', ms }), open);
    const fine = at('250');
    assert.ok(fine.ok && fine.args.timeout === 250);
    for (const bad of ['', '-1', '2.5', 'soon', '60001']) {
      const r = at(bad);
      assert.ok(!r.ok && r.field === 'ms', `${JSON.stringify(bad)} is refused`);
    }
    const max = at('60000');
    assert.ok(max.ok && OpArgs.poll.safeParse(max.args).success);
  });

  test('nothing ticked: the sockets field says so, nothing is built', () => {
    const none = Object.fromEntries(open.map((s) => [s.handle, { in: false, out: false }]));
    const r = pollArgs(draft({ picks: none }), open);
    assert.ok(!r.ok && r.field === 'socks');
    assert.ok(!pollArgs(EMPTY_POLL_DRAFT, []).ok, 'no open sockets, no poll');
  });
});

describe('revents in words, and the call each one invites', () => {
  test('"in" means accept() on a listener, recv() on a connection, recvfrom() on UDP', () => {
    assert.match(reventMeaning('in', sockOf('s1')), /accept\(\) will not block/);
    assert.match(reventMeaning('in', sockOf('s3')), /recv\(\) will not block/);
    assert.match(reventMeaning('in', sockOf('s4')), /recvfrom\(\) will not block/);
    assert.equal(callForReady(['in'], sockOf('s1')), 'accept');
    assert.equal(callForReady(['in'], sockOf('s3')), 'recv');
    assert.equal(callForReady(['in'], sockOf('s4')), 'recvfrom');
  });

  test('out, hup, err and nval each have their own meaning', () => {
    const meanings = (['out', 'hup', 'err', 'nval'] as const).map((r) => reventMeaning(r, sockOf('s3')));
    assert.equal(new Set(meanings).size, 4);
    assert.match(meanings[0], /send\(\) will not block/);
    assert.match(meanings[1], /hang-up/);
    assert.match(meanings[2], /SO_ERROR/);
    assert.equal(callForReady(['out'], sockOf('s3')), 'send');
    // A peer's reset: recv() is where the error is reported.
    assert.equal(callForReady(['in', 'hup', 'err'], sockOf('s3')), 'recv');
    assert.equal(callForReady([], sockOf('s3')), null);
  });
});

describe('the coach after poll()', () => {
  const pollArgsAll = { socks: [{ sock: 's1', events: ['in'] }, { sock: 's3', events: ['in'] }], timeout: -1 };

  test('a ready listener and a ready connection: accept() on one, recv() on the other; the idle one is named', () => {
    const s = applyStep(state, step(8, 'server', 'poll', pollArgsAll, ok({ ready: 2, socks: [{ sock: 's1', revents: ['in'] }, { sock: 's3', revents: ['in'] }] })));
    const coach = coachFor(s.steps.at(-1)!, s.sockets, []);
    assert.equal(coach.tone, 'ok');
    assert.deepEqual(coach.next.slice(0, 2), [{ sock: 's1', op: 'accept' }, { sock: 's3', op: 'recv' }]);
    assert.match(coach.text, /s1 is in \(a finished connection waits/);
    assert.match(nextText(coach.next), /^Next: accept\(\) on s1/);

    const one = applyStep(state, step(8, 'server', 'poll', pollArgsAll, ok({ ready: 1, socks: [{ sock: 's1', revents: [] }, { sock: 's3', revents: ['in'] }] })));
    const c1 = coachFor(one.steps.at(-1)!, one.sockets, []);
    assert.deepEqual(c1.next, [{ sock: 's3', op: 'recv' }]);
    assert.match(c1.text, /s1 has nothing: a call there would block/);
  });

  test('a timeout with nothing ready says so and suggests nothing', () => {
    const s = applyStep(state, step(8, 'server', 'poll', { ...pollArgsAll, timeout: 100 }, ok({ ready: 0, socks: [{ sock: 's1', revents: [] }, { sock: 's3', revents: [] }] })));
    const coach = coachFor(s.steps.at(-1)!, s.sockets, []);
    assert.match(coach.text, /returned 0: none of s1, s3 became ready/);
    assert.deepEqual(coach.next, []);
  });

  test('a waiting poll names its sockets; the fallback engine\'s refusal is explained', () => {
    const waiting = applyStep(state, step(8, 'server', 'poll', pollArgsAll, { status: 'blocked', result: undefined, end: undefined }));
    const coach = coachFor(waiting.steps.at(-1)!, waiting.sockets, []);
    assert.equal(coach.tone, 'blocked');
    assert.match(coach.text, /poll\(\) is waiting: none of s1, s3 is ready/);
    const refused = applyStep(state, step(8, 'server', 'poll', pollArgsAll, { status: 'error', result: undefined, error: { code: 'E_UNSUPPORTED', message: 'poll needs the native engine' } }));
    assert.match(coachFor(refused.steps.at(-1)!, refused.sockets, []).text, /fallback engine, which cannot make a real poll\(2\)/);
  });
});

test('replay plans and saved sessions include poll', () => {
  const s = applyStep(state, step(8, 'server', 'poll', { socks: [{ sock: 's1', events: ['in'] }], timeout: 0 }, ok({ ready: 0, socks: [{ sock: 's1', revents: [] }] })));
  const plan = replayPlan(s.steps);
  assert.equal(plan.at(-1)?.op, 'poll');
  assert.equal(plan.at(-1)?.recorded, 'ok');
});
