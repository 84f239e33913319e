/**
 * The network lab's browser logic without a browser: which sandbox host a socket lives on (from the
 * steps alone), the rule and forward forms turned into the protocol's structures (checked by the
 * sandbox's own full schemas), and the echoes of a running ping.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StepSchema, type Step } from '../../server/protocol/index.ts';
import { FirewallRuleSchema as SandboxRuleSchema, ForwardSpecSchema as SandboxForwardSchema } from '../../server/sandbox/schema.ts';
import { hostOfSockets } from '../../app/_lib/network-lab/hosts.ts';
import { EMPTY_FORWARD, EMPTY_RULE, forwardFromFields, ruleFromFields } from '../../app/_lib/network-lab/forms.ts';
import { addEcho, describeEcho, NO_ECHOES } from '../../app/_lib/network-lab/echoes.ts';

let seq = 0;
/** A step as the server sends it, checked by the protocol's own schema. */
function step(op: string, args: Record<string, unknown>, result: Record<string, unknown> | undefined, sock?: string): Step {
  seq += 1;
  return StepSchema.parse({ event: 'step', seq, id: seq, actor: 'x', op, sock, args, status: 'ok', result, start: 0, end: 1 });
}

describe('hostOfSockets', () => {
  test('a socket made with host lives there; a connection accepted on it lives on the same host; loopback sockets are not sandbox sockets', () => {
    const steps = [
      step('socket', { type: 'tcp', host: 'server' }, { sock: 's1', fd: 10 }),
      step('socket', { type: 'tcp' }, { sock: 's2', fd: 11 }),
      step('socket', { type: 'tcp', host: 'laptop' }, { sock: 's3', fd: 12 }),
      step('accept', { sock: 's1' }, { sock: 's4', fd: 13, peer: { address: '203.0.113.1', port: 40000 }, local: { address: '203.0.113.80', port: 80 } }, 's1'),
      step('accept', { sock: 's2' }, { sock: 's5', fd: 14, peer: { address: '127.0.0.1', port: 40001 }, local: { address: '127.0.0.1', port: 41000 } }, 's2'),
    ];
    assert.deepEqual([...hostOfSockets(steps)].sort(), [['s1', 'server'], ['s3', 'laptop'], ['s4', 'server']]);
  });

  test('removing the network forgets its sockets; sockets of the next network count again', () => {
    const steps = [
      step('socket', { type: 'udp', host: 'phone' }, { sock: 's1', fd: 10 }),
      step('network', { action: 'destroy' }, { network: null }),
      step('socket', { type: 'udp', host: 'router' }, { sock: 's2', fd: 11 }),
    ];
    assert.deepEqual([...hostOfSockets(steps)], [['s2', 'router']]);
  });
});

describe('ruleFromFields', () => {
  test('empty fields mean any and are left out; the sandbox accepts the result', () => {
    const rule = ruleFromFields({ ...EMPTY_RULE, destinationPort: '80', verdict: 'reject' });
    assert.deepEqual(rule, { chain: 'input', protocol: 'tcp', destinationPort: 80, verdict: 'reject' });
    assert.ok(SandboxRuleSchema.safeParse(rule).success);
  });

  test('ports left in the form do not travel with ICMP (the sandbox would refuse a port on icmp)', () => {
    const fields = { ...EMPTY_RULE, protocol: 'icmp' as const, destinationPort: '80', sourcePort: '1234', source: ' 192.168.1.0/24 ' };
    const rule = ruleFromFields(fields);
    assert.deepEqual(rule, { chain: 'input', protocol: 'icmp', source: '192.168.1.0/24', verdict: 'drop' });
    assert.ok(SandboxRuleSchema.safeParse(rule).success);
    // What it guards against: the same fields sent as they are.
    assert.ok(!SandboxRuleSchema.safeParse({ ...rule, destinationPort: 80 }).success);
  });

  test('reject-with travels only with reject; states are kept', () => {
    assert.equal(ruleFromFields({ ...EMPTY_RULE, verdict: 'drop', rejectWith: 'tcp-reset' }).rejectWith, undefined);
    const rule = ruleFromFields({ ...EMPTY_RULE, verdict: 'reject', rejectWith: 'admin-prohibited', states: ['new'] });
    assert.deepEqual([rule.rejectWith, rule.state], ['admin-prohibited', ['new']]);
    assert.ok(SandboxRuleSchema.safeParse(rule).success);
  });
});

test('forwardFromFields: the default form is a forward the sandbox accepts', () => {
  const forward = forwardFromFields({ ...EMPTY_FORWARD, lanAddress: ' 192.168.1.11 ' });
  assert.deepEqual(forward, { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.11', lanPort: 80 });
  assert.ok(SandboxForwardSchema.safeParse(forward).success);
});

test('echoes gather per ping step, once each, and read like ping(8)', () => {
  const reply = { seq: 1, status: 'reply' as const, from: '203.0.113.80', bytes: 64, timeMs: 0.42, errno: null };
  const event = { event: 'echo' as const, seq: 7, id: 3, host: 'laptop' as const, address: '203.0.113.80', echo: reply, at: 0 };
  let echoes = addEcho(NO_ECHOES, event);
  echoes = addEcho(echoes, event);
  echoes = addEcho(echoes, { ...event, echo: { seq: 2, status: 'timeout', from: null, bytes: null, timeMs: null, errno: null } });
  assert.deepEqual(echoes.get(7)?.map((e) => e.status), ['reply', 'timeout']);
  assert.equal(NO_ECHOES.size, 0, 'the empty map is never changed');
  assert.equal(describeEcho(reply, '203.0.113.80'), '64 bytes from 203.0.113.80: icmp_seq=1 time=0.4 ms');
  assert.match(describeEcho({ ...reply, status: 'error', errno: 'ENETUNREACH' }, 'x'), /sendto\(\) failed with ENETUNREACH/);
});
