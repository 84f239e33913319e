/**
 * Bounded fuzzing of /lab: 100,000 random and malformed messages over five concurrent sessions,
 * loopback only. The process must stay up, every message must get exactly one reply (or be a call
 * that the server reported blocked when the session closed), a command the protocol's schema
 * rejects is never answered `ok` (always E_BAD_REQUEST), the kernel's own tables never show a lab
 * socket outside the policy (checked after every chunk, while the sessions hold their sockets), and
 * the fd count must return to its baseline once the sessions end. The seed is printed so a failure
 * can be replayed (FUZZ_SEED=...).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { CommandSchema } from '../../server/protocol/index.ts';
import { connect, fdCount, ok, startLab, waitUntil } from '../helpers/lab.ts';
import { labSocketViolations } from '../helpers/kernel-sockets.ts';

const SESSIONS = 5;
const PER_SESSION = 20_000;
const CHUNK = 400;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

function messages(sitePort: number) {
  const sock = fc.oneof(fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's17', 's999'), fc.string({ maxLength: 8 }));
  const address = fc.oneof(
    fc.constantFrom('127.0.0.1', '::1', '0.0.0.0', '::', '10.0.0.1', '8.8.8.8', 'localhost', '127.1', '::ffff:127.0.0.1', ''),
    fc.ipV4(),
    fc.ipV6(),
    fc.string({ maxLength: 20 }),
  );
  const port = fc.oneof(fc.constantFrom(0, 41000, 41001, 41999, 42000, 22, sitePort, 65535, -1, 70000, 1.5), fc.integer({ min: -5, max: 70000 }));
  const data = fc.oneof(
    { weight: 20, arbitrary: fc.string({ maxLength: 64 }) },
    { weight: 5, arbitrary: fc.constantFrom('', '\u0000\uffff', 'GET / HTTP/1.0\r\n\r\n') },
    { weight: 5, arbitrary: fc.base64String({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(70_000)) },
  );
  const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.string({ maxLength: 6 }), fc.boolean());
  const args = fc.record(
    {
      sock,
      type: fc.oneof(fc.constantFrom('tcp', 'udp', 'raw'), anyValue),
      family: fc.oneof(fc.constantFrom(4, 6, 5), anyValue),
      address,
      port,
      data,
      encoding: fc.constantFrom('utf8', 'base64', 'hex'),
      backlog: fc.oneof(fc.integer({ min: -2, max: 200 }), anyValue),
      max: fc.oneof(fc.integer({ min: -1, max: 70_000 }), anyValue),
      how: fc.constantFrom('read', 'write', 'both', 'sideways'),
      blocking: fc.oneof(fc.boolean(), anyValue),
      actor: fc.string({ maxLength: 30 }),
    },
    { requiredKeys: [] },
  );
  const op = fc.constantFrom('socket', 'bind', 'listen', 'accept', 'connect', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown', 'close', 'setblocking', 'kernel', 'fork', '__proto__');
  const command = fc.record({ op, args });
  return fc.oneof(
    { weight: 6, arbitrary: command.map((c) => ({ kind: 'command' as const, ...c })) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => ({ kind: 'json' as const, value: v })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => ({ kind: 'text' as const, text: s })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => ({ kind: 'binary' as const, bytes: Buffer.from(b) })) },
  );
}

describe('fuzzing /lab (bounded, loopback)', () => {
  let server: RunningServer;
  let baseline: number;
  before(async () => {
    server = await startLab({ commandsPerSecond: 10_000, sessionsPerAddress: 50, idleSeconds: 600 });
    baseline = fdCount();
  });
  after(() => server.close());

  it(`survives ${SESSIONS * PER_SESSION} random messages (seed ${SEED})`, { timeout: 240_000 }, async () => {
    console.log(`fuzz seed ${SEED}`);
    const all = fc.sample(messages(server.port), { numRuns: SESSIONS * PER_SESSION, seed: SEED });
    let replies = 0;
    let malformed = 0;
    const promise = { addresses: server.policy.addresses, ports: server.policy.ports, sitePort: server.port };

    await Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/lab`);
        const pending = new Set<number>();
        /** Ids of commands the schema rejects: their replies must be E_BAD_REQUEST, never ok. */
        const invalid = new Set<number>();
        const blocked = new Set<number>();
        let nullReplies = 0;
        let expectedNull = 0;
        let closedEarly = false;
        ws.on('message', (raw) => {
          const m = JSON.parse(String(raw));
          if ('ok' in m) {
            replies++;
            if (m.id === null) nullReplies++;
            else {
              assert.ok(pending.delete(m.id), `one reply per id (${m.id})`);
              blocked.delete(m.id);
              if (invalid.delete(m.id)) {
                assert.equal(m.ok, false, `a command the schema rejects was answered ok (id ${m.id})`);
                assert.equal(m.error.code, 'E_BAD_REQUEST', `id ${m.id}`);
              }
            }
          } else if (m.event === 'step' && m.status === 'blocked' && typeof m.id === 'number') blocked.add(m.id);
        });
        ws.on('close', () => (closedEarly = true));
        await new Promise((r) => ws.once('open', r));

        const mine = all.slice(s * PER_SESSION, (s + 1) * PER_SESSION);
        let id = s * 1_000_000;
        for (let i = 0; i < mine.length; i += CHUNK) {
          for (const m of mine.slice(i, i + CHUNK)) {
            if (m.kind === 'command') {
              id++;
              pending.add(id);
              const frame = JSON.stringify({ id, op: m.op, args: m.args });
              if (!CommandSchema.safeParse(JSON.parse(frame)).success) {
                invalid.add(id);
                malformed++;
              }
              ws.send(frame);
            } else if (m.kind === 'binary') {
              expectedNull++;
              ws.send(m.bytes, { binary: true });
            } else {
              const text = m.kind === 'json' ? JSON.stringify(m.value) : m.text;
              // A frame that parses as JSON with a usable id gets that id back; others get null.
              let parsedId: unknown;
              try {
                parsedId = (JSON.parse(text) as { id?: unknown } | null)?.id;
              } catch {
                parsedId = undefined;
              }
              if (typeof parsedId === 'number' || typeof parsedId === 'string') {
                // Random JSON with an id field: ignore it in the accounting below by not counting it.
                continue;
              }
              expectedNull++;
              ws.send(text);
            }
          }
          await waitUntil(() => closedEarly || [...pending].every((p) => blocked.has(p)), 30_000, `session ${s} replies`);
          assert.equal(closedEarly, false, 'the server never closes a session for bad input');
          assert.deepEqual(labSocketViolations(promise), [], 'the kernel shows no lab socket outside the policy');
        }
        await waitUntil(() => nullReplies === expectedNull, 10_000, 'replies to frames without an id');
        ws.close();
        await new Promise((r) => ws.once('close', r));
        // Whatever is still unanswered must be a call the server said it was blocked in.
        for (const p of pending) assert.ok(blocked.has(p), `message ${p} got no reply and was not blocked`);
      }),
    );
    assert.ok(replies > SESSIONS * PER_SESSION * 0.8, `replies: ${replies}`);
    assert.ok(malformed > 1000, `the fuzz sends malformed commands too (${malformed})`);
    assert.deepEqual(labSocketViolations(promise), [], 'the kernel shows no lab socket outside the policy');
    await waitUntil(() => server.hub.sessionCount === 0, 10_000, 'sessions ended');
    await waitUntil(() => fdCount() <= baseline, 10_000, `fds back to baseline (${baseline}); now ${fdCount()}`);
    // Still serving.
    const c = await connect(server);
    await ok(c.client.call('socket', { type: 'tcp' }));
    c.client.close();
  });
});
