/**
 * Saved sessions (app/_lib/lab/session-file.ts): a file or a link written from a session opens
 * again as the same session, and anything else is refused with a stable code: too big, not JSON,
 * not a session, a newer format, a call whose arguments or result the protocol does not allow, a
 * link that is cut short or unpacks into more than the cap.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KernelRow, Step } from '../../server/protocol/index.ts';
import { hydrateSteps, LINK_PREFIX, makeSessionFile, MAX_LINK_CHARS, MAX_SESSION_BYTES, openSessionLink, openSessionText, sessionLinkFragment } from '../../app/_lib/lab/session-file.ts';
import type { StepView } from '../../app/_lib/lab/state.ts';

const ROW: KernelRow = { proto: 'tcp', local: { address: '127.0.0.1', port: 41234 }, remote: { address: '0.0.0.0', port: 0 }, state: 'LISTEN', rxQueue: 0, txQueue: 0, inode: 77, sock: 's1', relation: 'own' };
const STEPS: StepView[] = [
  { event: 'step', seq: 1, id: 'a', actor: 'server', op: 'socket', sock: 's1', args: { type: 'tcp', actor: 'server' }, status: 'ok', result: { sock: 's1', fd: 21 }, start: 1, end: 2, kernelBefore: [], kernelAfter: [] },
  { event: 'step', seq: 2, id: 'b', actor: 'server', op: 'bind', sock: 's1', args: { sock: 's1', address: '127.0.0.1', port: 0 }, status: 'ok', result: { address: '127.0.0.1', port: 41234 }, start: 3, end: 4 },
  { event: 'step', seq: 3, id: 'c', actor: 'server', op: 'listen', sock: 's1', args: { sock: 's1', backlog: 5 }, status: 'ok', result: { backlog: 5 }, start: 5, end: 6 },
  { event: 'step', seq: 4, id: 'd', actor: 'server', op: 'accept', sock: 's1', args: { sock: 's1' }, status: 'blocked', start: 7 },
  { event: 'step', seq: 5, id: 'e', actor: 'x', op: 'send', sock: 's9', args: { sock: 's9', data: '<img src=x onerror=alert(1)>' }, status: 'error', error: { code: 'E_NO_SOCKET', message: 'No such socket.' }, start: 8, end: 9 },
];
const LOG = [
  { afterSeq: 1, rows: [] },
  { afterSeq: 3, rows: [ROW] },
];
const session = () => makeSessionFile({ title: 'My <b>server</b>', engine: 'native', steps: STEPS, kernelLog: LOG, savedAt: new Date('2026-01-02T03:04:05Z') });

describe('session files', () => {
  test('a saved session opens as itself, without the per-step kernel copies', () => {
    const text = JSON.stringify(session());
    const r = openSessionText(text);
    assert.ok(r.ok);
    assert.equal(r.session.title, 'My <b>server</b>', 'text stays text');
    assert.equal(r.session.steps.length, 5);
    assert.equal('kernelBefore' in r.session.steps[0], false);
    assert.deepEqual(r.session.kernel, LOG);
    assert.deepEqual(r.session.packets, []);
    const sent = r.session.steps[4];
    assert.ok(sent.op === 'send');
    assert.equal(sent.args.data, '<img src=x onerror=alert(1)>');
  });

  test('hydrated steps get the kernel views before and after them from the log', () => {
    const r = openSessionText(JSON.stringify(session()));
    assert.ok(r.ok);
    const steps = hydrateSteps(r.session);
    assert.deepEqual(steps[2].kernelAfter, [ROW]);
    assert.deepEqual(steps[2].kernelBefore, []);
    assert.deepEqual(steps[3].kernelBefore, [ROW]);
    assert.equal(steps[3].kernelAfter, undefined, 'a call still waiting has no after');
  });

  test('refuses what is not a session, each with its code', () => {
    const code = (text: string) => {
      const r = openSessionText(text);
      return r.ok ? 'ok' : r.error.code;
    };
    assert.equal(code('x'.repeat(MAX_SESSION_BYTES + 1)), 'E_TOO_BIG');
    assert.equal(code('{not json'), 'E_NOT_JSON');
    assert.equal(code('{"format":"something-else","version":1}'), 'E_NOT_A_SESSION');
    assert.equal(code('[]'), 'E_NOT_A_SESSION');
    assert.equal(code(JSON.stringify({ ...session(), version: 2 })), 'E_NEWER');
    const bad = (f: (s: ReturnType<typeof session>) => void) => {
      const s = structuredClone(session());
      f(s);
      return code(JSON.stringify(s));
    };
    assert.equal(bad((s) => (s.steps[1].args = { sock: 's1', address: '127.0.0.1', port: 99999 })), 'E_INVALID', 'a port out of range');
    // Deliberately malformed: the cast is the test's.
    assert.equal(bad((s) => ((s.steps[1] as { args: unknown }).args = { sock: 's1', address: '127.0.0.1', port: 1, extra: true })), 'E_INVALID', 'an argument the op does not take');
    assert.equal(bad((s) => (s.steps[0].result = { sock: 'not-a-handle', fd: 1 })), 'E_INVALID', 'a result the op cannot give');
    assert.equal(bad((s) => ((s.steps[0] as unknown as { op: string }).op = 'exec')), 'E_INVALID', 'an op the lab does not have');
    assert.equal(bad((s) => (s.kernel[1].rows[0].state = 'HACKED' as KernelRow['state'])), 'E_INVALID');
    assert.equal(bad((s) => (s.steps = Array.from({ length: 3001 }, () => s.steps[0]))), 'E_INVALID', 'too many steps');
    const r = openSessionText(JSON.stringify({ ...session(), title: 5 }));
    assert.ok(!r.ok && /title/.test(r.error.message), 'the message says where');
  });
});

describe('session links', () => {
  test('a link opens as the same session', async () => {
    const made = await sessionLinkFragment(session());
    assert.ok(made.ok);
    assert.ok(made.fragment.startsWith(LINK_PREFIX));
    assert.match(made.fragment.slice(LINK_PREFIX.length), /^[A-Za-z0-9_-]+$/, 'URL-safe');
    const r = await openSessionLink(made.fragment);
    assert.ok(r.ok);
    assert.deepEqual(r.session, openSessionText(JSON.stringify(session())).ok ? JSON.parse(JSON.stringify(session())) : null);
  });

  test('a session too big for a link says so and points to the file', async () => {
    // Random payloads do not compress.
    const noise = (n: number) => Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('');
    const steps: Step[] = Array.from({ length: 400 }, (_, i) => ({ event: 'step', seq: i + 1, id: i, actor: 'c', op: 'send', sock: 's1', args: { sock: 's1', data: noise(200) }, status: 'ok', result: { bytes: 200 }, start: i, end: i }));
    const made = await sessionLinkFragment(makeSessionFile({ title: 't', engine: 'native', steps, kernelLog: [] }));
    assert.ok(!made.ok);
    assert.match(made.message, /too big for a link .* Save it as a file/);
  });

  test('refuses a cut, garbled, overlong or bomb link', async () => {
    const made = await sessionLinkFragment(session());
    assert.ok(made.ok);
    const code = async (f: string) => {
      const r = await openSessionLink(f);
      return r.ok ? 'ok' : r.error.code;
    };
    assert.equal(await code(made.fragment.slice(0, made.fragment.length - 20)), 'E_NOT_A_SESSION');
    assert.equal(await code(`${LINK_PREFIX}not base64!`), 'E_NOT_A_SESSION');
    assert.equal(await code(`${LINK_PREFIX}${'A'.repeat(MAX_LINK_CHARS + 1)}`), 'E_TOO_BIG');
    // 8 MB of spaces packs into a few kilobytes: unpacking stops at the cap.
    const bomb = new Uint8Array(await new Response(new Blob([' '.repeat(8 * 1024 * 1024)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    const b64 = Buffer.from(bomb).toString('base64url');
    assert.ok(b64.length < MAX_LINK_CHARS, `the bomb fits a link (${b64.length} chars)`);
    assert.equal(await code(`${LINK_PREFIX}${b64}`), 'E_NOT_A_SESSION');
  });
});
