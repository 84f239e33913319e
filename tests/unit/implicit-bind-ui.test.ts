/**
 * The lab UI shows a bind the lab made before a UDP call (result.implicitBind): the socket's card
 * gets its address, the timeline's result line names it, and the step detail has the sentence
 * that says where the lab bound it and what the kernel would have done instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Step } from '../../server/protocol/index.ts';
import { EMPTY_LAB, applyStep, describeResult, implicitBindSentence } from '../../app/_lib/lab/state.ts';

const at = 1_700_000_000_000;
/** Fixtures are written loosely (any args, any result); the cast below is the test's, not the product's. */
const step = (seq: number, op: Step['op'], args: Record<string, unknown>, result: Record<string, unknown>): Step => loose({
  event: 'step',
  seq,
  id: seq,
  actor: 'sender',
  op,
  ...(typeof args.sock === 'string' ? { sock: args.sock } : {}),
  args,
  status: 'ok',
  result,
  start: at + seq,
  end: at + seq + 1,
});
function loose(fixture: Omit<Step, 'args' | 'result'> & { args: Record<string, unknown>; result: Record<string, unknown> }): Step {
  return fixture as Step;
}

test('a sendto with an implicit bind gives the socket its address and says so', () => {
  const created = step(1, 'socket', { type: 'udp' }, { sock: 's1', fd: 20 });
  const sent = step(2, 'sendto', { sock: 's1', data: 'hi', address: '127.0.0.1', port: 41001 }, { bytes: 2, implicitBind: { address: '127.0.0.1', port: 41234 } });
  const state = [created, sent].reduce(applyStep, EMPTY_LAB);
  assert.deepEqual(state.sockets[0].local, { address: '127.0.0.1', port: 41234 });
  assert.equal(describeResult(sent), '→ 2 bytes, from 127.0.0.1:41234 (bound by the lab)');
  const sentence = implicitBindSentence(sent);
  assert.match(sentence ?? '', /s1 had no address, so the lab first bound it to 127\.0\.0\.1:41234/);
  assert.match(sentence ?? '', /0\.0\.0\.0 and a random port/);
});

test('IPv6 binds are bracketed, and a plain sendto has no sentence', () => {
  const v6 = step(3, 'sendto', { sock: 's2', data: 'x', address: '::1', port: 41001 }, { bytes: 1, implicitBind: { address: '::1', port: 41500 } });
  assert.match(implicitBindSentence(v6) ?? '', /\[::1\]:41500.*\[::\]/);
  const plain = step(4, 'sendto', { sock: 's2', data: 'x', address: '::1', port: 41001 }, { bytes: 1 });
  assert.equal(implicitBindSentence(plain), null);
  assert.equal(describeResult(plain), '→ 1 byte');
});
