/**
 * The provisional rows' life against a real lab server (app/_lib/lab/provisional-client.ts and
 * provisional.ts, wired as use-lab-session.ts wires them): a call is provisional from the moment it
 * is made until its step or its reply, whichever comes first. What the server really sends decides
 * it: a step before the reply for every call that reached the socket table, a blocked step for a
 * call that waits, and a reply alone for calls refused before any syscall (a malformed command, the
 * rate limit) or cut off by the connection closing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import type { ClientEvent } from '../../server/protocol/client.ts';
import type { Step } from '../../server/protocol/index.ts';
import { NO_PROVISIONAL, provisionalReducer, type ProvisionalCall } from '../../app/_lib/lab/provisional.ts';
import { ProvisionalLabClient } from '../../app/_lib/lab/provisional-client.ts';
import { ok, startLab, waitUntil } from '../helpers/lab.ts';

interface Harness {
  client: ProvisionalLabClient;
  ws: WebSocket;
  /** The provisional calls as the page would hold them now. */
  calls(): readonly ProvisionalCall[];
  /** Every step event, with the provisional ids still open just before it was applied. */
  steps: { step: Step; openBefore: string[] }[];
}

async function open(server: RunningServer): Promise<Harness> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab`);
  let calls = NO_PROVISIONAL;
  const steps: Harness['steps'] = [];
  const client = new ProvisionalLabClient(ws as never, {
    onCall: (call) => (calls = provisionalReducer(calls, { type: 'call', call })),
    onSettled: (id) => (calls = provisionalReducer(calls, { type: 'answered', id })),
  });
  client.on((e: ClientEvent) => {
    if (e.event === 'step') {
      steps.push({ step: e, openBefore: calls.map((c) => String(c.id)) });
      if (e.id !== null) calls = provisionalReducer(calls, { type: 'answered', id: e.id });
    } else if (e.event === 'closed') calls = provisionalReducer(calls, { type: 'clear' });
  });
  await client.hello;
  return { client, ws, calls: () => calls, steps };
}

describe('provisional calls against a real lab server', () => {
  let server: RunningServer;
  let slow: RunningServer;
  before(async () => {
    server = await startLab();
    // Two calls a second (bursts of four): the fifth call in a row is refused by the rate limit.
    slow = await startLab({ commandsPerSecond: 2 });
  });
  after(async () => {
    await server?.close();
    await slow?.close();
  });

  it('is there from the moment of the call, and gone when its step arrives, before the reply', async () => {
    const h = await open(server);
    try {
      const made = h.client.call('socket', { type: 'tcp', actor: 'server' });
      // Synchronously: the page draws it in the click's own frame.
      assert.deepEqual(h.calls().map((c) => [c.op, c.args]), [['socket', { type: 'tcp', actor: 'server' }]]);
      const id = String(h.calls()[0].id);
      const { sock } = await ok(made);
      const own = h.steps.find((s) => s.step.id === id);
      assert.ok(own, 'the step carries the id the provisional row was drawn with');
      assert.deepEqual(own.openBefore, [id], 'the step arrived while the call was still provisional: the step, not the reply, replaces it');
      assert.equal(own.step.status, 'ok');
      assert.deepEqual(h.calls(), []);
      // The kernel view is a query, not a call: no provisional row.
      const kernel = h.client.call('kernel', {});
      assert.deepEqual(h.calls(), []);
      await ok(kernel);
      // A refusal by the lab itself is a step too (E_POLICY): it replaces the row like any answer.
      const refused = await h.client.call('bind', { sock, address: '10.0.0.1', port: 41000 });
      assert.equal(refused.ok, false);
      assert.equal(h.steps.at(-1)!.step.status, 'error');
      assert.deepEqual(h.calls(), []);
    } finally {
      h.client.close();
    }
  });

  it('a call that blocks is replaced by its blocked step, and other steps in between leave it alone', async () => {
    const h = await open(server);
    try {
      const { sock: listener } = await ok(h.client.call('socket', { type: 'tcp', actor: 'server' }));
      const { port } = await ok(h.client.call('bind', { sock: listener, address: '127.0.0.1', port: 0 }));
      await ok(h.client.call('listen', { sock: listener }));
      const accepted = h.client.call('accept', { sock: listener });
      const acceptId = String(h.calls()[0].id);
      await waitUntil(() => h.steps.some((s) => s.step.id === acceptId && s.step.status === 'blocked'), 5000, 'the blocked accept');
      assert.deepEqual(h.calls(), [], 'blocked is the kernel\'s answer so far: the row is real now');
      // Two calls in flight at once; the accept completes (a step with the old id) in between.
      const { sock: client } = await ok(h.client.call('socket', { type: 'tcp', actor: 'client' }));
      const connected = h.client.call('connect', { sock: client, address: '127.0.0.1', port });
      const send = h.client.call('send', { sock: client, data: 'hi' });
      assert.deepEqual(h.calls().map((c) => c.op), ['connect', 'send']);
      await ok(connected);
      await ok(send);
      await ok(accepted);
      const completed = h.steps.find((s) => s.step.id === acceptId && s.step.status === 'ok');
      assert.ok(completed);
      assert.deepEqual(h.calls(), []);
    } finally {
      h.client.close();
    }
  });

  it('a call refused before any step (a malformed command) ends with its reply alone', async () => {
    const h = await open(server);
    try {
      // Not a socket handle: the schema check refuses it (E_BAD_REQUEST) and no step is made.
      const r = await h.client.call('close', { sock: 'not-a-handle' });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.code, 'E_BAD_REQUEST');
      assert.equal(h.steps.length, 0, 'the server sent no step for it');
      assert.deepEqual(h.calls(), []);
    } finally {
      h.client.close();
    }
  });

  it('calls refused by the rate limit (E_LIMIT, no step) end with their reply', async () => {
    const h = await open(slow);
    try {
      const replies = await Promise.all(Array.from({ length: 8 }, () => h.client.call('socket', { type: 'udp' })));
      const limited = replies.filter((r) => !r.ok && r.error.code === 'E_LIMIT');
      assert.ok(limited.length > 0, 'some calls were refused by the rate limit');
      assert.equal(h.steps.length, replies.length - limited.length, 'only the calls that ran made steps');
      assert.deepEqual(h.calls(), []);
    } finally {
      h.client.close();
    }
  });

  it('a call cut off by the connection closing ends too', async () => {
    const h = await open(server);
    const { sock } = await ok(h.client.call('socket', { type: 'udp' }));
    await ok(h.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    // Nothing will ever arrive: the call waits until the connection goes.
    const waiting = h.client.call('recvfrom', { sock });
    await waitUntil(() => h.steps.some((s) => s.step.op === 'recvfrom'), 5000, 'the blocked recvfrom');
    const late = h.client.call('close', { sock });
    h.ws.terminate();
    const r = await late;
    assert.equal(!r.ok && r.error.code, 'E_CANCELLED');
    await waiting;
    assert.deepEqual(h.calls(), []);
  });
});
