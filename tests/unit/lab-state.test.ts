/**
 * The lab UI's state, derived from server events alone (app/_lib/lab/state.ts): socket cards from
 * step results, blocked steps and their completion, kernel snapshots attached to steps, row
 * changes, lanes, and the one-line descriptions of calls and results.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KernelRow, Step } from '../../server/protocol/index.ts';
import {
  EMPTY_LAB,
  applyKernel,
  applyStep,
  describeCall,
  describeResult,
  kernelStateOf,
  labAt,
  lanesOf,
  rowChange,
  type LabState,
  type SockView,
} from '../../app/_lib/lab/state.ts';

/** Fixtures are written loosely (any args, any result, any code); the cast below is the test's, not the product's. */
type LooseStep = Omit<Step, 'args' | 'result' | 'error'> & { args: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: string; message: string } };
let clock = 1_700_000_000_000;
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
const sockOf = (s: LabState, handle: string) => {
  const found = s.sockets.find((x) => x.handle === handle);
  assert.ok(found, `no socket ${handle}`);
  return found;
};

function krow(over: Partial<KernelRow> & Pick<KernelRow, 'state' | 'relation'>): KernelRow {
  return { proto: 'tcp', local: { address: '127.0.0.1', port: 41000 }, remote: { address: '0.0.0.0', port: 0 }, rxQueue: 0, txQueue: 0, inode: 1, ...over };
}

// A server and a client on loopback, as the tcp-hello scenario makes them.
const SERVER = [
  step(1, 'server', 'socket', { type: 'tcp', actor: 'server' }, ok({ sock: 's1', fd: 21 })),
  step(2, 'server', 'bind', { sock: 's1', address: '127.0.0.1', port: 0 }, ok({ address: '127.0.0.1', port: 41234 })),
  step(3, 'server', 'listen', { sock: 's1', backlog: 5 }, ok({ backlog: 5 })),
];
const CLIENT = [
  step(4, 'client', 'socket', { type: 'tcp', actor: 'client' }, ok({ sock: 's2', fd: 22 })),
  step(5, 'client', 'connect', { sock: 's2', address: '127.0.0.1', port: 41234 }, ok({ local: { address: '127.0.0.1', port: 50000 } })),
];
const ACCEPT = step(6, 'server', 'accept', { sock: 's1' }, ok({ sock: 's3', fd: 23, peer: { address: '127.0.0.1', port: 50000 }, local: { address: '127.0.0.1', port: 41234 } }));

describe('applyStep: socket cards from results', () => {
  test('socket adds a card with its actor, type, family, fd; blocking and open', () => {
    const s = run([step(1, 'server', 'socket', { type: 'udp', family: 6 }, ok({ sock: 's1', fd: 7 }))]);
    assert.deepEqual(s.sockets, [
      { handle: 's1', actor: 'server', type: 'udp', family: 6, fd: 7, listening: false, blocking: true, closed: false, shut: { read: false, write: false }, waiting: [] },
    ]);
    assert.equal(s.steps.length, 1);
    assert.deepEqual(s.steps[0].kernelBefore, []);
  });

  test('family defaults to 4 and a null fd (fallback engine) stays null', () => {
    const s = run([step(1, 'a', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: null }))]);
    assert.equal(sockOf(s, 's1').family, 4);
    assert.equal(sockOf(s, 's1').fd, null);
  });

  test('bind sets the local endpoint from the RESULT (the port the lab picked), not the args', () => {
    const s = run(SERVER.slice(0, 2));
    assert.deepEqual(sockOf(s, 's1').local, { address: '127.0.0.1', port: 41234 });
  });

  test('listen marks the card listening with the backlog the kernel got', () => {
    const s = run(SERVER);
    assert.equal(sockOf(s, 's1').listening, true);
    assert.equal(sockOf(s, 's1').backlog, 5);
  });

  test('connect sets local from the result and remote from the args', () => {
    const s = run([...SERVER, ...CLIENT]);
    assert.deepEqual(sockOf(s, 's2').local, { address: '127.0.0.1', port: 50000 });
    assert.deepEqual(sockOf(s, 's2').remote, { address: '127.0.0.1', port: 41234 });
  });

  test('accept adds a new connected card for the accepting actor, with the listener\'s family', () => {
    const s = run([...SERVER, ...CLIENT, ACCEPT]);
    const c = sockOf(s, 's3');
    assert.equal(c.actor, 'server');
    assert.equal(c.type, 'tcp');
    assert.equal(c.family, 4);
    assert.equal(c.fd, 23);
    assert.deepEqual(c.local, { address: '127.0.0.1', port: 41234 });
    assert.deepEqual(c.remote, { address: '127.0.0.1', port: 50000 });
    assert.equal(sockOf(s, 's1').listening, true, 'the listener keeps listening');
    assert.equal(s.sockets.length, 3);
  });

  test('connect that fails with EINPROGRESS (non-blocking) already has its remote, but no local', () => {
    const s = run([
      step(1, 'client', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 5 })),
      step(2, 'client', 'setblocking', { sock: 's1', blocking: false }, ok({})),
      step(3, 'client', 'connect', { sock: 's1', address: '127.0.0.1', port: 41234 }, failed('EINPROGRESS')),
    ]);
    const c = sockOf(s, 's1');
    assert.equal(c.blocking, false);
    assert.deepEqual(c.remote, { address: '127.0.0.1', port: 41234 });
    assert.equal(c.local, undefined);
  });

  test('connect refused (ECONNREFUSED) leaves the card without a remote', () => {
    const s = run([
      step(1, 'client', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 5 })),
      step(2, 'client', 'connect', { sock: 's1', address: '127.0.0.1', port: 41234 }, failed('ECONNREFUSED')),
    ]);
    assert.equal(sockOf(s, 's1').remote, undefined);
    assert.equal(s.steps[1].status, 'error');
  });

  test('a failed bind changes nothing on the card', () => {
    const s = run([step(1, 'a', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 5 })), step(2, 'a', 'bind', { sock: 's1', address: '127.0.0.1', port: 41000 }, failed('EADDRINUSE'))]);
    assert.equal(sockOf(s, 's1').local, undefined);
  });

  test('setblocking switches the card to non-blocking and back', () => {
    const base = [step(1, 'a', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 5 }))];
    const off = run([...base, step(2, 'a', 'setblocking', { sock: 's1', blocking: false }, ok({}))]);
    assert.equal(sockOf(off, 's1').blocking, false);
    const on = run([step(3, 'a', 'setblocking', { sock: 's1', blocking: true }, ok({}))], off);
    assert.equal(sockOf(on, 's1').blocking, true);
  });

  test('a step that changes no socket keeps the same sockets (their cards need not redraw)', () => {
    const base = [step(1, 'a', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 5 }))];
    const off = run([...base, step(2, 'a', 'setblocking', { sock: 's1', blocking: false }, ok({}))]);
    const again = run([step(3, 'a', 'setblocking', { sock: 's1', blocking: false }, ok({}))], off);
    assert.equal(again.sockets, off.sockets);
    const back = run([step(4, 'a', 'setblocking', { sock: 's1', blocking: true }, ok({}))], again);
    assert.notEqual(back.sockets, again.sockets);
    assert.equal(sockOf(back, 's1').blocking, true);
  });

  test('shutdown(write) then shutdown(read) accumulate; shutdown(both) sets both', () => {
    const base = run([...SERVER, ...CLIENT]);
    const w = run([step(6, 'client', 'shutdown', { sock: 's2', how: 'write' }, ok({}))], base);
    assert.deepEqual(sockOf(w, 's2').shut, { read: false, write: true });
    const rw = run([step(7, 'client', 'shutdown', { sock: 's2', how: 'read' }, ok({}))], w);
    assert.deepEqual(sockOf(rw, 's2').shut, { read: true, write: true });
    const both = run([step(6, 'client', 'shutdown', { sock: 's2', how: 'both' }, ok({}))], base);
    assert.deepEqual(sockOf(both, 's2').shut, { read: true, write: true });
  });

  test('close marks only that card closed and clears what it was waiting for', () => {
    const s = run([
      ...SERVER,
      step(4, 'server', 'accept', { sock: 's1' }, blocked),
      step(5, 'server', 'close', { sock: 's1' }, ok({})),
    ]);
    assert.equal(sockOf(s, 's1').closed, true);
    assert.deepEqual(sockOf(s, 's1').waiting, []);
  });

  test('a closed card is not changed by later steps on the same handle', () => {
    const s = run([...SERVER, step(4, 'server', 'close', { sock: 's1' }, ok({})), step(5, 'server', 'listen', { sock: 's1', backlog: 9 }, ok({ backlog: 9 }))]);
    assert.equal(sockOf(s, 's1').backlog, 5);
  });

  test('steps on one handle never touch another card', () => {
    const s = run([...SERVER, ...CLIENT, step(6, 'client', 'shutdown', { sock: 's2', how: 'both' }, ok({})), step(7, 'client', 'close', { sock: 's2' }, ok({}))]);
    assert.deepEqual(sockOf(s, 's1').shut, { read: false, write: false });
    assert.equal(sockOf(s, 's1').closed, false);
  });
});

describe('applyStep: blocked, then completed with the same seq', () => {
  test('a blocked accept is listed on the card as waiting; its completion replaces the step and clears it', () => {
    const rowsBefore = [krow({ state: 'LISTEN', relation: 'own', sock: 's1' })];
    let s = run(SERVER);
    s = { ...s, kernel: rowsBefore };
    s = applyStep(s, step(4, 'server', 'accept', { sock: 's1' }, blocked));
    assert.deepEqual(sockOf(s, 's1').waiting, ['accept']);
    assert.equal(s.steps.length, 4);
    assert.equal(s.steps[3].status, 'blocked');

    s = run(CLIENT.map((c, i) => ({ ...c, seq: 5 + i })), s);
    s = { ...s, kernel: [] };
    s = applyStep(s, { ...ACCEPT, seq: 4 });
    assert.equal(s.steps.length, 6, 'the completion replaces the blocked step, it is not a new step');
    assert.equal(s.steps[3].seq, 4);
    assert.equal(s.steps[3].status, 'ok');
    assert.deepEqual(s.steps[3].kernelBefore, rowsBefore, 'the "before" view is the one from when the call began');
    assert.deepEqual(sockOf(s, 's1').waiting, []);
    assert.equal(sockOf(s, 's3').remote?.port, 50000);
  });

  test('a blocked recv that ends in an error still stops waiting', () => {
    let s = run([...SERVER, ...CLIENT, ACCEPT]);
    s = applyStep(s, step(7, 'server', 'recv', { sock: 's3' }, blocked));
    assert.deepEqual(sockOf(s, 's3').waiting, ['recv']);
    s = applyStep(s, step(7, 'server', 'recv', { sock: 's3' }, failed('ECONNRESET')));
    assert.deepEqual(sockOf(s, 's3').waiting, []);
    assert.equal(s.steps.filter((x) => x.seq === 7).length, 1);
  });

  test('only the completed op leaves the waiting list', () => {
    let s = run([...SERVER, ...CLIENT, ACCEPT]);
    s = applyStep(s, step(7, 'server', 'recv', { sock: 's3' }, blocked));
    s = applyStep(s, step(8, 'server', 'send', { sock: 's3', data: 'x' }, blocked));
    assert.deepEqual(sockOf(s, 's3').waiting, ['recv', 'send']);
    s = applyStep(s, step(7, 'server', 'recv', { sock: 's3' }, ok({ data: 'hi', base64: 'aGk=', bytes: 2 })));
    assert.deepEqual(sockOf(s, 's3').waiting, ['send']);
  });
});

describe('applyKernel', () => {
  test('steps up to the requested seq get this snapshot as "after"; later and blocked steps do not', () => {
    let s = run([...SERVER, step(4, 'server', 'accept', { sock: 's1' }, blocked), ...CLIENT.map((c, i) => ({ ...c, seq: 5 + i }))]);
    const rows1 = [krow({ state: 'LISTEN', relation: 'own', sock: 's1' })];
    s = applyKernel(s, rows1, 3);
    assert.deepEqual(
      s.steps.map((x) => x.kernelAfter === rows1),
      [true, true, true, false, false, false],
    );
    assert.equal(s.kernel, rows1);

    const rows2 = [krow({ state: 'LISTEN', relation: 'own', sock: 's1', rxQueue: 1 })];
    s = applyKernel(s, rows2, 6);
    assert.deepEqual(
      s.steps.map((x) => (x.kernelAfter === rows1 ? 1 : x.kernelAfter === rows2 ? 2 : 0)),
      [1, 1, 1, 0, 2, 2],
      'an existing "after" is kept; the blocked accept still has none',
    );
    assert.equal(s.kernel, rows2);
    assert.equal(s.kernelPrevious, rows1);
  });

  test('a refresh that gives no step its "after" keeps the same steps array (the timeline skips a redraw)', () => {
    const rows1 = [krow({ state: 'LISTEN', relation: 'own', sock: 's1' })];
    const s1 = applyKernel(run(SERVER), rows1, 3);
    const s2 = applyKernel(s1, [krow({ state: 'LISTEN', relation: 'own', sock: 's1', rxQueue: 1 })], 3);
    assert.equal(s2.steps, s1.steps);
    assert.notEqual(s2.kernel, s1.kernel);
  });

  test('a new snapshot clears an earlier kernel error', () => {
    const s = applyKernel({ ...EMPTY_LAB, kernelError: 'E_INTERNAL: x' }, [], 0);
    assert.equal(s.kernelError, null);
  });

  test('the next step\'s "before" is the latest snapshot', () => {
    const rows = [krow({ state: 'LISTEN', relation: 'own', sock: 's1' })];
    const s = applyStep(applyKernel(run(SERVER), rows, 3), CLIENT[0]);
    assert.equal(s.steps[3].kernelBefore, rows);
  });
});

describe('rowChange', () => {
  const listen = krow({ state: 'LISTEN', relation: 'own', sock: 's1' });
  test('a row not seen before is new', () => {
    assert.deepEqual(rowChange(listen, []), { change: 'new' });
    // Same addresses but another relation is another row.
    assert.equal(rowChange({ ...listen, relation: 'closed' }, [listen]).change, 'new');
    assert.equal(rowChange({ ...listen, local: { address: '127.0.0.1', port: 41001 } }, [listen]).change, 'new');
  });
  test('a state change wins over queue changes', () => {
    const after = { ...listen, state: 'CLOSE' as const, rxQueue: 3 };
    assert.deepEqual(rowChange(after, [listen]), { change: 'state', before: listen });
  });
  test('same state, other queue counts: queues', () => {
    assert.deepEqual(rowChange({ ...listen, rxQueue: 1 }, [listen]), { change: 'queues', before: listen });
    assert.deepEqual(rowChange({ ...listen, txQueue: 4 }, [listen]), { change: 'queues', before: listen });
  });
  test('nothing changed: null, with the previous row', () => {
    assert.deepEqual(rowChange({ ...listen }, [listen]), { change: null, before: listen });
  });
});

describe('kernelStateOf', () => {
  const card = (over: Partial<SockView>): SockView => ({
    handle: 's1',
    actor: 'a',
    type: 'tcp',
    family: 4,
    fd: 3,
    listening: false,
    blocking: true,
    closed: false,
    shut: { read: false, write: false },
    waiting: [],
    ...over,
  });
  const local = { address: '127.0.0.1', port: 41000 };
  test('the state of the socket\'s own row', () => {
    const rows = [krow({ state: 'CLOSE_WAIT', relation: 'accept-queue', of: 's1' }), krow({ state: 'LISTEN', relation: 'own', sock: 's1' })];
    assert.equal(kernelStateOf(card({ local }), rows), 'LISTEN');
  });
  test('rows of other handles or other relations do not count', () => {
    const rows = [krow({ state: 'ESTABLISHED', relation: 'own', sock: 's2' }), krow({ state: 'TIME_WAIT', relation: 'closed', of: 's1' })];
    assert.equal(kernelStateOf(card({ local }), rows), 'bound (no row until listen/connect)');
  });
  test('without a row: TCP new or bound, UDP new or UNCONN, and closed wins over any row', () => {
    assert.equal(kernelStateOf(card({}), []), 'new (no address yet)');
    assert.equal(kernelStateOf(card({ type: 'udp' }), []), 'new (no address yet)');
    assert.equal(kernelStateOf(card({ type: 'udp', local }), []), 'UNCONN');
    assert.equal(kernelStateOf(card({ closed: true }), [krow({ state: 'TIME_WAIT', relation: 'own', sock: 's1' })]), 'closed');
  });
});

describe('lanesOf', () => {
  test('one lane per actor, in order of appearance', () => {
    const s = run([...CLIENT.map((c, i) => ({ ...c, seq: 1 + i })), ...SERVER.map((c, i) => ({ ...c, seq: 3 + i })), step(6, 'client 2', 'socket', { type: 'tcp' }, ok({ sock: 's3', fd: 9 }))]);
    assert.deepEqual(lanesOf(s), ['client', 'server', 'client 2']);
  });
  test('an "outside" kernel row adds the outside lane', () => {
    const s = run(SERVER);
    assert.deepEqual(lanesOf(s), ['server']);
    const withOutside = { ...s, kernel: [krow({ state: 'ESTABLISHED', relation: 'outside', of: 's1', inode: 999 })] };
    assert.deepEqual(lanesOf(withOutside), ['server', 'outside']);
    const withQueue = { ...s, kernel: [krow({ state: 'ESTABLISHED', relation: 'accept-queue', of: 's1', inode: 0 })] };
    assert.deepEqual(lanesOf(withQueue), ['server']);
  });
  test('an accept from a peer that is none of our sockets adds the outside lane', () => {
    const fromNc = step(4, 'server', 'accept', { sock: 's1' }, ok({ sock: 's2', fd: 9, peer: { address: '127.0.0.1', port: 51111 }, local: { address: '127.0.0.1', port: 41234 } }));
    assert.deepEqual(lanesOf(run([...SERVER, fromNc])), ['server', 'outside']);
    assert.deepEqual(lanesOf(run([...SERVER, ...CLIENT, ACCEPT])), ['server', 'client']);
  });
});

describe('describeCall', () => {
  const d = (op: Step['op'], args: Record<string, unknown>) => describeCall(step(1, 'a', op, args));
  test('each op in one line', () => {
    assert.equal(d('socket', { type: 'tcp' }), 'socket(TCP)');
    assert.equal(d('socket', { type: 'udp', family: 6 }), 'socket(UDP, IPv6)');
    assert.equal(d('bind', { sock: 's1', address: '127.0.0.1', port: 0 }), 'bind(s1, 127.0.0.1:0)');
    assert.equal(d('listen', { sock: 's1' }), 'listen(s1)');
    assert.equal(d('listen', { sock: 's1', backlog: 0 }), 'listen(s1, backlog=0)');
    assert.equal(d('accept', { sock: 's1' }), 'accept(s1)');
    assert.equal(d('connect', { sock: 's2', address: '::1', port: 41234 }), 'connect(s2, [::1]:41234)');
    assert.equal(d('send', { sock: 's2', data: 'hello\n' }), 'send(s2, "hello\\n")');
    assert.equal(d('sendto', { sock: 's2', data: 'a"b', address: '127.0.0.1', port: 41000 }), 'sendto(s2, "a\\"b", 127.0.0.1:41000)');
    assert.equal(d('recv', { sock: 's3' }), 'recv(s3)');
    assert.equal(d('recv', { sock: 's3', max: 4 }), 'recv(s3, max=4)');
    assert.equal(d('recvfrom', { sock: 's3', max: 100 }), 'recvfrom(s3, max=100)');
    assert.equal(d('shutdown', { sock: 's3', how: 'write' }), 'shutdown(s3, write)');
    assert.equal(d('setblocking', { sock: 's3', blocking: false }), 'setblocking(s3, false)');
    assert.equal(d('close', { sock: 's3' }), 'close(s3)');
    assert.equal(d('kernel', {}), 'kernel()');
    assert.equal(
      d('poll', { socks: [{ sock: 's1', events: ['in'] }, { sock: 's2', events: ['in', 'out'] }], timeout: 5000 }),
      'poll([s1 in, s2 in|out], 5000 ms)',
    );
    assert.equal(d('poll', { socks: [{ sock: 's1', events: ['in'] }], timeout: -1 }), 'poll([s1 in], no timeout)');
  });
});

describe('describeResult', () => {
  const r = (op: Step['op'], outcome: Partial<LooseStep>) => describeResult(step(1, 'a', op, {}, outcome));
  test('each op\'s result', () => {
    assert.equal(r('socket', ok({ sock: 's1', fd: 21 })), '→ s1 (fd 21)');
    assert.equal(r('socket', ok({ sock: 's1', fd: null })), '→ s1');
    assert.equal(r('bind', ok({ address: '127.0.0.1', port: 41234 })), '→ 127.0.0.1:41234');
    assert.equal(r('bind', ok({ address: '::1', port: 41234 })), '→ [::1]:41234');
    assert.equal(r('accept', ok({ sock: 's3', fd: 9, peer: { address: '127.0.0.1', port: 50000 }, local: { address: '127.0.0.1', port: 41234 } })), '→ s3 from 127.0.0.1:50000');
    assert.equal(r('connect', ok({ local: { address: '127.0.0.1', port: 50000 } })), '→ connected from 127.0.0.1:50000');
    assert.equal(r('send', ok({ bytes: 6 })), '→ 6 bytes');
    assert.equal(r('sendto', ok({ bytes: 3 })), '→ 3 bytes');
    assert.equal(r('recv', ok({ data: 'hi\n', base64: 'aGkK', bytes: 3 })), '→ 3 bytes "hi\\n"');
    assert.equal(r('recvfrom', ok({ data: 'x', base64: 'eA==', bytes: 1, from: { address: '::1', port: 41001 } })), '→ 1 byte "x" from [::1]:41001');
    for (const op of ['listen', 'shutdown', 'close', 'setblocking'] as const) assert.equal(r(op, ok({})), '→ 0 (ok)');
  });
  test('poll names the sockets that are ready, with their revents; 0 is nothing ready', () => {
    const ready = { ready: 2, socks: [{ sock: 's1', revents: [] }, { sock: 's2', revents: ['in', 'hup'] }, { sock: 's3', revents: ['out'] }] };
    assert.equal(r('poll', ok(ready)), '→ 2 ready: s2 in|hup, s3 out');
    assert.equal(r('poll', ok({ ready: 0, socks: [{ sock: 's1', revents: [] }] })), '→ 0: nothing ready');
    assert.equal(r('poll', blocked), 'waiting…');
  });
  test('recv of 0 bytes is EOF', () => {
    assert.equal(r('recv', ok({ bytes: 0, eof: true })), '→ 0 bytes: EOF');
  });
  test('errors show the code, blocked calls show waiting', () => {
    assert.equal(r('connect', failed('ECONNREFUSED')), '✗ ECONNREFUSED');
    assert.equal(r('bind', failed('E_POLICY')), '✗ E_POLICY');
    assert.equal(r('accept', blocked), 'waiting…');
  });
  test('EINPROGRESS and EAGAIN from a non-blocking socket are expected answers, in words', () => {
    assert.equal(r('connect', failed('EINPROGRESS')), '… EINPROGRESS: in progress');
    assert.equal(r('connect', failed('EALREADY')), '… EALREADY: in progress');
    assert.equal(r('recv', failed('EAGAIN')), '… EAGAIN: nothing yet');
    assert.equal(r('accept', failed('EAGAIN')), '… EAGAIN: nothing yet');
    assert.equal(r('send', failed('EAGAIN')), '… EAGAIN: no room yet');
    // The same code from another call is a failure like any other.
    assert.equal(r('bind', failed('EAGAIN')), '✗ EAGAIN');
    assert.equal(r('connect', failed('EAGAIN')), '✗ EAGAIN');
  });
});

describe('rewinding: the lab as it was after a step (labAt), from the record alone', () => {
  const rows = (n: number): KernelRow[] => [krow({ state: 'LISTEN', relation: 'own', sock: 's1', rxQueue: n })];

  test('sockets and kernel view as they were, with later sockets and views absent', () => {
    let s = run(SERVER);
    s = applyKernel(s, rows(0), 3);
    s = run(CLIENT, s);
    s = applyKernel(s, rows(1), 5);
    s = run([ACCEPT], s);
    s = applyKernel(s, rows(0), 6);
    assert.deepEqual(s.kernelLog.map((k) => k.afterSeq), [3, 5, 6]);
    const after3 = labAt(s.steps, s.kernelLog, 3);
    assert.deepEqual(after3.sockets.map((x) => x.handle), ['s1']);
    assert.equal(after3.kernel[0].rxQueue, 0);
    assert.equal(after3.kernelAfterSeq, 3);
    const after5 = labAt(s.steps, s.kernelLog, 5);
    assert.deepEqual(after5.sockets.map((x) => x.handle), ['s1', 's2']);
    assert.equal(after5.kernel[0].rxQueue, 1, 'one connection waited to be accepted then');
    assert.equal(after5.steps.length, 5);
    // No view was recorded after step 4: the one after step 3 stands.
    assert.equal(labAt(s.steps, s.kernelLog, 4).kernelAfterSeq, 3);
  });

  test('a newer view after the same step replaces the older one', () => {
    let s = run(SERVER);
    s = applyKernel(s, rows(0), 3);
    s = applyKernel(s, rows(2), 3);
    assert.equal(s.kernelLog.length, 1);
    assert.equal(labAt(s.steps, s.kernelLog, 3).kernel[0].rxQueue, 2);
  });

  test('an accept that waited for a later connect shows as waiting before that connect', () => {
    const waiting = step(4, 'server', 'accept', { sock: 's1' }, blocked);
    const client = step(5, 'client', 'socket', { type: 'tcp', actor: 'client' }, ok({ sock: 's2', fd: 22 }));
    const connect = step(6, 'client', 'connect', { sock: 's2', address: '127.0.0.1', port: 41234 }, ok({ local: { address: '127.0.0.1', port: 50000 } }));
    let s = run([...SERVER, waiting, client, connect]);
    // The accept finishes a moment after the connect, before the next call.
    const done = { ...ACCEPT, seq: 4, start: waiting.start, end: connect.end! + 1 };
    s = applyStep(s, done);
    s = run([step(7, 'client', 'send', { sock: 's2', data: 'x' }, ok({ bytes: 1 }))], s);
    assert.equal(s.steps.find((x) => x.seq === 4)?.wasBlocked, true);
    const at5 = labAt(s.steps, s.kernelLog, 5);
    assert.equal(at5.steps.find((x) => x.seq === 4)?.status, 'blocked');
    assert.deepEqual(sockOf({ ...s, sockets: at5.sockets }, 's1').waiting, ['accept']);
    assert.equal(at5.sockets.some((x) => x.handle === 's3'), false, 'the accepted socket did not exist yet');
    const at4 = labAt(s.steps, s.kernelLog, 4);
    assert.equal(at4.steps.at(-1)?.status, 'blocked', 'rewound to the accept itself: it is waiting');
    const at6 = labAt(s.steps, s.kernelLog, 6);
    assert.equal(at6.sockets.some((x) => x.handle === 's3'), true, 'after the connect it had finished');
  });
});
