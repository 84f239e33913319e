/** The per-connection gate before any parsing (server/lab/frame-gate.ts), on a fake clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameGate, leadingId } from '../../server/lab/frame-gate.ts';

test('passes a burst, refuses beyond it, refills with time, and closes a flood', () => {
  let now = 0;
  const gate = new FrameGate(10, 20, () => now);
  for (let i = 0; i < 20; i++) assert.equal(gate.admit(100), 'pass', `frame ${i}`);
  assert.equal(gate.admit(100), 'refuse');
  now += 1000; // ten more frames' worth
  for (let i = 0; i < 10; i++) assert.equal(gate.admit(100), 'pass');
  const verdicts = Array.from({ length: 25 }, () => gate.admit(100));
  // The refusal bucket (burst 20) was refilled by the same second: 20 refusals, then closing.
  assert.deepEqual(verdicts.slice(0, 20), Array(20).fill('refuse'), 'refusals draw on their own bucket');
  assert.deepEqual(verdicts.slice(20), Array(5).fill('close'), 'a client that keeps flooding is closed');
});

test('a big frame costs more than a small one', () => {
  const gate = new FrameGate(10, 20, () => 0);
  assert.equal(gate.admit(512 * 1024), 'pass'); // 9 tokens
  assert.equal(gate.admit(512 * 1024), 'pass'); // 18
  assert.equal(gate.admit(512 * 1024), 'refuse');
  assert.equal(gate.admit(10), 'pass'); // 19
});

test('the gate for a session is wider than its command and kernel-read allowances', () => {
  const gate = FrameGate.forSession(20);
  // 20 calls/s (burst 40) and 20 kernel reads/s (burst 40): 80 frames at once must pass.
  for (let i = 0; i < 80; i++) assert.equal(gate.admit(200), 'pass', `frame ${i}`);
});

test('leadingId reads the id a frame starts with, without parsing the rest', () => {
  const id = (s: string) => leadingId(Buffer.from(s));
  assert.equal(id('{"id":7,"op":"kernel","args":{}}'), 7);
  assert.equal(id(' { "id" : -3 , "op":1'), -3);
  assert.equal(id('{"id":"abc-1","op":"x"'), 'abc-1');
  assert.equal(id('{"op":"kernel","id":7}'), null, 'not leading');
  assert.equal(id('{"id":{"x":1}}'), null);
  assert.equal(id('{"id":"a\\"b"}'), null);
  assert.equal(id('not json'), null);
  assert.equal(id(`{"id":"${'x'.repeat(70)}"}`), null, 'longer than an id may be');
});

test('a client reconnecting after being closed for flooding starts with a second of calls, not the burst', () => {
  const fresh = FrameGate.forSession(20);
  const again = FrameGate.forSession(20, true);
  const passed = (g: FrameGate) => Array.from({ length: 200 }, () => g.admit(100)).filter((v) => v === 'pass').length;
  assert.equal(passed(fresh), 160);
  assert.equal(passed(again), 20);
});
