/**
 * The option calls in the lab's call form, as pure logic: the picker's data covers the protocol's
 * named set (app/_lib/lab/socket-options.ts), what a learner types becomes the value setsockopt()
 * sends or a clear reason it cannot (and every value the form accepts passes the protocol's own
 * schema), the form's fields become each op's arguments (call-args.ts), and the timeline, the coach
 * line, the socket's card and a replay know getsockname, getpeername, setsockopt and getsockopt.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandSchema, SOCKET_OPTIONS, type Step } from '../../server/protocol/index.ts';
import {
  formatOptionValue,
  initialDraft,
  OPTION_GROUPS,
  OPTION_INFO,
  optionMismatch,
  optionsByGroup,
  parseOptionValue,
  readingMeaning,
  type OptionDraft,
} from '../../app/_lib/lab/socket-options.ts';
import { callArgs, type CallDraft } from '../../app/_lib/lab/call-args.ts';
import { applyStep, describeCall, describeResult, EMPTY_LAB, type LabState } from '../../app/_lib/lab/state.ts';
import { coachFor } from '../../app/_lib/lab/coach.ts';
import { replayPlan } from '../../app/_lib/lab/replayer.ts';

const draft = (over: Partial<OptionDraft>): OptionDraft => ({ on: true, number: '', lingerSeconds: '0', ...over });

describe('the option picker\'s data', () => {
  test('every option of the protocol once, each in a group, with a hint; groups in the order socket, TCP, IPv4, IPv6', () => {
    assert.deepEqual(OPTION_INFO.map((o) => o.option).sort(), [...SOCKET_OPTIONS].sort());
    assert.deepEqual(OPTION_GROUPS.map((g) => g.id), ['socket', 'tcp', 'ip', 'ipv6']);
    const grouped = optionsByGroup();
    assert.equal(grouped.reduce((n, g) => n + g.options.length, 0), SOCKET_OPTIONS.length);
    assert.deepEqual(grouped.find((g) => g.group.id === 'tcp')?.options.map((o) => o.option), ['TCP_NODELAY', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT']);
    for (const o of OPTION_INFO) assert.ok(o.hint.length > 20 && !o.hint.includes('\n'), `${o.option} has a one-line hint`);
  });

  test('each option\'s starting value is one the protocol accepts (SO_ERROR has none: read only)', () => {
    for (const option of SOCKET_OPTIONS) {
      const parsed = parseOptionValue(option, initialDraft(option));
      if (option === 'SO_ERROR') {
        assert.equal(parsed.ok, false);
        continue;
      }
      assert.ok(parsed.ok, `${option} starts valid`);
      const command = CommandSchema.safeParse({ id: 1, op: 'setsockopt', args: { sock: 's1', option, value: parsed.value } });
      assert.ok(command.success, `${option}: the protocol accepts ${JSON.stringify(parsed.value)}`);
    }
  });
});

describe('what the learner types becomes the value setsockopt() sends', () => {
  test('a switch: on is 1, off is 0', () => {
    assert.deepEqual(parseOptionValue('SO_REUSEADDR', draft({ on: true })), { ok: true, value: 1 });
    assert.deepEqual(parseOptionValue('TCP_NODELAY', draft({ on: false })), { ok: true, value: 0 });
  });

  test('a number with its unit: whole, inside the option\'s range, spaces forgiven', () => {
    assert.deepEqual(parseOptionValue('SO_RCVBUF', draft({ number: ' 8192 ' })), { ok: true, value: 8192 });
    assert.deepEqual(parseOptionValue('IP_TTL', draft({ number: '255' })), { ok: true, value: 255 });
    assert.deepEqual(parseOptionValue('SO_RCVTIMEO', draft({ number: '0' })), { ok: true, value: 0 });
  });

  test('a number that cannot be sent says why, in the option\'s unit', () => {
    const refusal = (option: Parameters<typeof parseOptionValue>[0], number: string) => {
      const r = parseOptionValue(option, draft({ number }));
      assert.equal(r.ok, false, `${option} ${JSON.stringify(number)} is refused`);
      return r.ok ? '' : r.message;
    };
    assert.match(refusal('SO_RCVBUF', ''), /whole number of bytes/);
    assert.match(refusal('SO_RCVBUF', '8k'), /whole number of bytes/);
    assert.match(refusal('SO_RCVBUF', '-1'), /whole number/);
    assert.match(refusal('SO_RCVBUF', '1.5'), /whole number/);
    assert.match(refusal('SO_RCVBUF', '99999999999'), /Between 0 and 2,147,483,647 bytes/);
    assert.match(refusal('IP_TTL', '0'), /Between 1 and 255 hops/);
    assert.match(refusal('IP_TTL', '256'), /Between 1 and 255 hops/);
    assert.match(refusal('TCP_KEEPIDLE', '0'), /Between 1 and 32,767 seconds/);
    assert.match(refusal('TCP_KEEPCNT', '128'), /Between 1 and 127 probes/);
  });

  test('linger: the switch and whole seconds up to an hour', () => {
    assert.deepEqual(parseOptionValue('SO_LINGER', draft({ on: true, lingerSeconds: '0' })), { ok: true, value: { onoff: true, linger: 0 } });
    assert.deepEqual(parseOptionValue('SO_LINGER', draft({ on: false, lingerSeconds: '30' })), { ok: true, value: { onoff: false, linger: 30 } });
    const tooLong = parseOptionValue('SO_LINGER', draft({ lingerSeconds: '3601' }));
    assert.ok(!tooLong.ok && /Between 0 and 3,600 seconds/.test(tooLong.message));
  });

  test('SO_ERROR cannot be set: the form says to read it', () => {
    const r = parseOptionValue('SO_ERROR', draft({ number: '1' }));
    assert.ok(!r.ok && /only be read: use getsockopt/.test(r.message));
  });
});

describe('an option the kernel will refuse on this socket', () => {
  test('TCP options on UDP, IPv6 options on IPv4, V6ONLY after bind; IP_TTL works on an IPv6 socket too', () => {
    assert.deepEqual(optionMismatch('setsockopt', 'TCP_NODELAY', { type: 'udp', family: 4, bound: false }), { code: 'ENOPROTOOPT', why: 'TCP_NODELAY is a TCP option, and this is a UDP socket' });
    assert.equal(optionMismatch('getsockopt', 'TCP_KEEPCNT', { type: 'udp', family: 4, bound: false })?.code, 'EOPNOTSUPP');
    assert.equal(optionMismatch('setsockopt', 'IPV6_V6ONLY', { type: 'tcp', family: 4, bound: false })?.code, 'ENOPROTOOPT');
    assert.equal(optionMismatch('setsockopt', 'IPV6_V6ONLY', { type: 'tcp', family: 6, bound: true })?.code, 'EINVAL');
    assert.equal(optionMismatch('getsockopt', 'IPV6_V6ONLY', { type: 'tcp', family: 6, bound: true }), null, 'reading it after bind is fine');
    assert.equal(optionMismatch('setsockopt', 'IP_TTL', { type: 'tcp', family: 6, bound: false }), null);
    assert.equal(optionMismatch('setsockopt', 'SO_KEEPALIVE', { type: 'udp', family: 4, bound: false }), null);
    assert.equal(optionMismatch('setsockopt', 'SO_REUSEADDR', { type: 'tcp', family: 4, bound: true }), null);
  });
});

describe('values and readings in words', () => {
  test('formatted by shape', () => {
    assert.equal(formatOptionValue('SO_REUSEADDR', 1), '1 (on)');
    assert.equal(formatOptionValue('TCP_NODELAY', 0), '0 (off)');
    assert.equal(formatOptionValue('SO_RCVBUF', 16384), '16384 bytes');
    assert.equal(formatOptionValue('TCP_KEEPIDLE', 1), '1 s');
    assert.equal(formatOptionValue('TCP_KEEPCNT', 1), '1 probe');
    assert.equal(formatOptionValue('IP_TTL', 64), '64 hops');
    assert.equal(formatOptionValue('SO_RCVTIMEO', 0), '0 (no timeout)');
    assert.equal(formatOptionValue('SO_RCVTIMEO', 2500), '2500 ms');
    assert.equal(formatOptionValue('SO_LINGER', { onoff: true, linger: 0 }), '{on, 0 s}');
    assert.equal(formatOptionValue('SO_ERROR', 0), '0 (no error)');
    assert.equal(formatOptionValue('SO_ERROR', 111), '111 (ECONNREFUSED)');
  });

  test('a buffer size read back: "the kernel doubles it" when it is twice what was asked', () => {
    assert.match(readingMeaning('SO_RCVBUF', 16384, 8192), /^The kernel doubles it: you asked for 8192 bytes and it keeps 16384/);
    // Below the kernel's minimum the doubled request is raised: said as such, not as a doubling.
    assert.match(readingMeaning('SO_RCVBUF', 2304, 100), /You asked for 100 bytes; the kernel keeps 2304/);
    assert.match(readingMeaning('SO_SNDBUF', 16384), /reads back doubled/);
    assert.match(readingMeaning('SO_LINGER', { onoff: true, linger: 0 }), /sends a RST/);
    assert.match(readingMeaning('SO_REUSEADDR', 1), /on for this socket/);
  });
});

describe('the form\'s fields become the op\'s arguments', () => {
  const d: CallDraft = {
    address: '127.0.0.1',
    port: '',
    defaultPort: 41000,
    backlog: '5',
    data: 'hi\\n',
    max: '4096',
    how: 'write',
    blocking: false,
    option: 'SO_RCVBUF',
    optionDraft: draft({ number: '8192' }),
  };
  test('each op takes only its own fields, checked by the protocol\'s schema', () => {
    const cases = [
      ['bind', { sock: 's1', address: '127.0.0.1', port: 41000 }],
      ['send', { sock: 's1', data: 'hi\n' }],
      ['setsockopt', { sock: 's1', option: 'SO_RCVBUF', value: 8192 }],
      ['getsockopt', { sock: 's1', option: 'SO_RCVBUF' }],
      ['getsockname', { sock: 's1' }],
      ['getpeername', { sock: 's1' }],
    ] as const;
    for (const [op, args] of cases) {
      const built = callArgs(op, 's1', d);
      assert.deepEqual(built, { ok: true, args }, op);
      assert.ok(CommandSchema.safeParse({ id: 1, op, args: built.ok ? built.args : {} }).success, `${op} fits its schema`);
    }
  });

  test('a value that cannot be sent is not sent: the field and why', () => {
    assert.deepEqual(callArgs('setsockopt', 's1', { ...d, optionDraft: draft({ number: 'lots' }) }), { ok: false, field: 'value', message: 'Type a whole number of bytes.' });
    // getsockopt needs no value, so a bad one typed for setsockopt does not hold it up.
    assert.equal(callArgs('getsockopt', 's1', { ...d, optionDraft: draft({ number: 'lots' }) }).ok, true);
  });
});

let clock = 1_700_000_000_000;
type LooseStep = Omit<Step, 'args' | 'result' | 'error'> & { args: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: string; message: string } };
/** Fixtures are written loosely; StepSchema-shaped in fact (the replay test below parses them). */
function step(seq: number, op: Step['op'], args: Record<string, unknown>, outcome: Partial<LooseStep> = {}): Step {
  clock += 10;
  const sock = typeof args.sock === 'string' ? args.sock : undefined;
  const loose: LooseStep = { event: 'step', seq, id: seq, actor: 'server', op, sock, args, status: 'ok', result: {}, start: clock, end: clock + 1, ...outcome };
  return loose as Step;
}
const run = (steps: Step[]): LabState => steps.reduce(applyStep, EMPTY_LAB);

const SOCKET = step(1, 'socket', { type: 'tcp', actor: 'server' }, { result: { sock: 's1', fd: 5 } });
const SET = step(2, 'setsockopt', { sock: 's1', option: 'SO_RCVBUF', value: 8192 });
const GET = step(3, 'getsockopt', { sock: 's1', option: 'SO_RCVBUF' }, { result: { option: 'SO_RCVBUF', value: 16384 } });
const NAME = step(4, 'getsockname', { sock: 's1' }, { result: { address: '0.0.0.0', port: 0 } });
const PEER = step(5, 'getpeername', { sock: 's1' }, { status: 'error', result: undefined, error: { code: 'ENOTCONN', message: 's1 has no peer' } });

describe('the timeline, the card and the coach know the option calls', () => {
  test('one line per call and its answer', () => {
    assert.equal(describeCall(SET), 'setsockopt(s1, SO_RCVBUF, 8192 bytes)');
    assert.equal(describeCall(step(9, 'setsockopt', { sock: 's1', option: 'SO_LINGER', value: { onoff: true, linger: 0 } })), 'setsockopt(s1, SO_LINGER, {on, 0 s})');
    assert.equal(describeCall(GET), 'getsockopt(s1, SO_RCVBUF)');
    assert.equal(describeResult(GET), '→ 16384 bytes');
    assert.equal(describeCall(NAME), 'getsockname(s1)');
    assert.equal(describeResult(NAME), '→ 0.0.0.0:0');
    assert.equal(describeResult(step(9, 'getpeername', { sock: 's1' }, { result: { address: '::1', port: 41000 } })), '→ [::1]:41000');
    assert.equal(describeResult(PEER), '✗ ENOTCONN');
  });

  test('the card remembers what setsockopt asked, so the reading can say the kernel doubled it', () => {
    const s = run([SOCKET, SET]);
    assert.deepEqual(s.sockets[0].optionsSet, { SO_RCVBUF: 8192 });
    const failedSet = run([SOCKET, step(2, 'setsockopt', { sock: 's1', option: 'SO_RCVBUF', value: 8192 }, { status: 'error', result: undefined, error: { code: 'E_UNSUPPORTED', message: 'no' } })]);
    assert.equal(failedSet.sockets[0].optionsSet, undefined, 'a refused setsockopt set nothing');
  });

  test('the coach: what the kernel kept, and reading it back next', () => {
    const afterSet = run([SOCKET, SET]);
    const set = coachFor(afterSet.steps.at(-1)!, afterSet.sockets, []);
    assert.match(set.text, /The kernel took SO_RCVBUF = 8192 bytes on s1\. getsockopt\(\) shows what it really keeps/);
    assert.deepEqual(set.next[0], { sock: 's1', op: 'getsockopt' });
    const afterGet = run([SOCKET, SET, GET]);
    assert.match(coachFor(afterGet.steps.at(-1)!, afterGet.sockets, []).text, /SO_RCVBUF on s1 reads 16384 bytes\. The kernel doubles it: you asked for 8192/);
    const named = run([SOCKET, NAME]);
    assert.match(coachFor(named.steps.at(-1)!, named.sockets, []).text, /s1 has no address yet: the kernel answers 0\.0\.0\.0:0/);
    const peer = run([SOCKET, PEER]);
    assert.match(coachFor(peer.steps.at(-1)!, peer.sockets, []).text, /getpeername\(\) failed with ENOTCONN\. Not connected/);
    const reuse = run([SOCKET, step(2, 'setsockopt', { sock: 's1', option: 'SO_REUSEADDR', value: 1 })]);
    assert.match(coachFor(reuse.steps.at(-1)!, reuse.sockets, []).text, /SO_REUSEADDR = 1 \(on\) on s1\. It matters at bind\(\)/);
  });

  test('a replay makes the option calls and the questions again', () => {
    const plan = replayPlan([SOCKET, SET, GET, NAME, PEER]);
    assert.deepEqual(plan.map((c) => c.op), ['socket', 'setsockopt', 'getsockopt', 'getsockname', 'getpeername']);
    assert.deepEqual(plan.map((c) => c.recorded), ['ok', 'ok', 'ok', 'ok', 'ENOTCONN']);
    assert.deepEqual(plan[1].args, { sock: 's1', option: 'SO_RCVBUF', value: 8192 });
  });
});
