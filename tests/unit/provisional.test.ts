/**
 * Provisional calls (app/_lib/lab/provisional.ts): the rows the timeline draws between a click and
 * the server's answer. They end on their own step or reply, in any order and with other steps in
 * between, and never become steps themselves.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Step } from '../../server/protocol/index.ts';
import { NO_PROVISIONAL, provisionalActor, provisionalBySock, provisionalReducer, showsProvisional, type ProvisionalAction, type ProvisionalCall } from '../../app/_lib/lab/provisional.ts';
import { describeCall, type SockView } from '../../app/_lib/lab/state.ts';

const bind: ProvisionalCall = { id: 'ui1', op: 'bind', args: { sock: 's1', address: '127.0.0.1', port: 41000 } };
const listen: ProvisionalCall = { id: 'ui2', op: 'listen', args: { sock: 's1' } };
const fold = (actions: ProvisionalAction[]) => actions.reduce(provisionalReducer, NO_PROVISIONAL);
const ids = (calls: readonly ProvisionalCall[]) => calls.map((c) => c.id);

function sock(handle: string, actor: string): SockView {
  return { handle, actor, type: 'tcp', family: 4, fd: 3, listening: false, blocking: true, closed: false, shut: { read: false, write: false }, waiting: [] };
}

describe('provisional calls', () => {
  test('a call is shown from the moment it is made, in the order the calls were made', () => {
    assert.deepEqual(ids(fold([{ type: 'call', call: bind }, { type: 'call', call: listen }])), ['ui1', 'ui2']);
  });

  test('its own step ends it (also a blocked step: that is the kernel answering "wait")', () => {
    const calls = fold([{ type: 'call', call: bind }, { type: 'call', call: listen }, { type: 'answered', id: 'ui2' }]);
    assert.deepEqual(ids(calls), ['ui1']);
  });

  test('steps with other ids (a program\'s, a scenario\'s) leave it alone, unchanged', () => {
    const calls = fold([{ type: 'call', call: bind }]);
    assert.equal(provisionalReducer(calls, { type: 'answered', id: 7 }), calls, 'the same list: the timeline need not redraw');
    assert.equal(provisionalReducer(calls, { type: 'answered', id: 'sc-1' }), calls);
  });

  test('a reply without a step (a call refused before any syscall) ends it; the reply after a step is a no-op', () => {
    const refused = fold([{ type: 'call', call: bind }, { type: 'answered', id: 'ui1' }]);
    assert.deepEqual(refused, []);
    const stepThenReply = fold([{ type: 'call', call: bind }, { type: 'answered', id: 'ui1' }, { type: 'answered', id: 'ui1' }]);
    assert.deepEqual(stepThenReply, []);
  });

  test('the ids are matched exactly: the number 1 is not the string "1"', () => {
    const calls = fold([{ type: 'call', call: { ...bind, id: 1 } }]);
    assert.equal(provisionalReducer(calls, { type: 'answered', id: '1' }).length, 1);
    assert.equal(provisionalReducer(calls, { type: 'answered', id: 1 }).length, 0);
  });

  test('a repeated id is one call, not two', () => {
    assert.equal(fold([{ type: 'call', call: bind }, { type: 'call', call: bind }]).length, 1);
  });

  test('a dropped connection or a new session clears every call', () => {
    assert.deepEqual(fold([{ type: 'call', call: bind }, { type: 'call', call: listen }, { type: 'clear' }]), []);
    assert.equal(provisionalReducer(NO_PROVISIONAL, { type: 'clear' }), NO_PROVISIONAL);
  });

  test('kernel queries are not calls and get no row', () => {
    assert.equal(showsProvisional('kernel'), false);
    assert.equal(showsProvisional('bind'), true);
    assert.equal(showsProvisional('accept'), true);
  });

  test("a call sits in its socket's lane; a new socket in the actor it names, else the server's default", () => {
    const sockets = [sock('s1', 'server'), sock('s2', 'client')];
    assert.equal(provisionalActor(bind, sockets), 'server');
    assert.equal(provisionalActor({ id: 3, op: 'send', args: { sock: 's2', data: 'hi' } }, sockets), 'client');
    assert.equal(provisionalActor({ id: 4, op: 'socket', args: { type: 'udp', actor: 'peer' } }, sockets), 'peer');
    assert.equal(provisionalActor({ id: 5, op: 'socket', args: { type: 'tcp' } }, sockets), 'program');
    assert.equal(provisionalActor({ id: 6, op: 'close', args: { sock: 's9' } }, sockets), 'program');
  });

  test("a socket's card shows its newest unanswered call; a socket() call has no card yet", () => {
    const send: ProvisionalCall = { id: 'ui3', op: 'send', args: { sock: 's2', data: 'hi' } };
    const bySock = provisionalBySock([bind, send, listen, { id: 'ui4', op: 'socket', args: { type: 'tcp' } }]);
    assert.deepEqual([...bySock.entries()].map(([s, c]) => [s, c.id]), [['s1', 'ui2'], ['s2', 'ui3']]);
  });

  test('the call is named exactly as its real row will name it, with the real arguments', () => {
    const real: Step = { event: 'step', seq: 4, id: 'ui1', actor: 'server', op: 'bind', sock: 's1', args: { sock: 's1', address: '127.0.0.1', port: 41000 }, status: 'ok', result: { address: '127.0.0.1', port: 41000 }, start: 1, end: 2 };
    assert.equal(describeCall(bind), describeCall(real));
    assert.equal(describeCall(bind), 'bind(s1, 127.0.0.1:41000)');
  });
});
