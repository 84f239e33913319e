import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPacket,
  checkRule,
  describeRule,
  evaluate,
  moveItem,
  parsePorts,
  parseSource,
  removeAt,
  type Action,
  type FirewallPacket,
  type FirewallRule,
  type PacketDraft,
  type RuleDraft,
} from '../../app/_lib/firewall.ts';

type Rule = Omit<FirewallRule, 'id'>;

function rule(action: Action, direction: 'in' | 'out', protocol: 'tcp' | 'udp' | 'any', source: string, ports: string): Rule {
  const r = checkRule({ action, direction, protocol, source, ports });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function packet(d: Partial<PacketDraft>): FirewallPacket {
  const r = checkPacket({ direction: 'in', protocol: 'tcp', source: '198.51.100.9', port: '22', established: false, ...d });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const NOT_STATEFUL = { stateful: false };

test('first match wins: a later rule never sees the packet', () => {
  const rules = [rule('allow', 'in', 'tcp', '10.0.0.0/8', '22'), rule('deny', 'in', 'tcp', 'any', '22')];
  const v = evaluate(rules, 'allow', packet({ source: '10.1.2.3' }), NOT_STATEFUL);
  assert.equal(v.action, 'allow');
  assert.equal(v.ruleIndex, 0);
  assert.equal(v.by, 'rule');
  assert.equal(v.checks.length, 1, 'evaluation stops at the first match');
  const stranger = evaluate(rules, 'allow', packet({ source: '198.51.100.9' }), NOT_STATEFUL);
  assert.equal(stranger.action, 'deny');
  assert.equal(stranger.ruleIndex, 1);
  assert.equal(stranger.checks[0].matched, false);
  assert.match(stranger.checks[0].reason, /not inside 10\.0\.0\.0\/8/);
});

test('order matters: the same two rules swapped give another verdict', () => {
  const allowLan = rule('allow', 'in', 'tcp', '10.0.0.0/8', '22');
  const denyAll = rule('deny', 'in', 'tcp', 'any', '22');
  const p = packet({ source: '10.1.2.3' });
  assert.equal(evaluate([allowLan, denyAll], 'allow', p, NOT_STATEFUL).action, 'allow');
  const swapped = moveItem([allowLan, denyAll], 0, 1);
  assert.equal(evaluate(swapped, 'allow', p, NOT_STATEFUL).action, 'deny');
});

test('the default policy applies when nothing matches, and with no rules at all', () => {
  const rules = [rule('allow', 'in', 'tcp', 'any', '443')];
  for (const policy of ['allow', 'deny', 'reject'] as const) {
    const v = evaluate(rules, policy, packet({ port: '22' }), NOT_STATEFUL);
    assert.equal(v.action, policy);
    assert.equal(v.ruleIndex, null);
    assert.equal(v.by, 'default');
    assert.match(v.summary, /default policy/);
  }
  assert.match(evaluate([], 'deny', packet({}), NOT_STATEFUL).summary, /no rules/);
});

test('port ranges include both ends; any matches every port', () => {
  const rules = [rule('allow', 'in', 'udp', 'any', '8000-8099')];
  const at = (port: string) => evaluate(rules, 'deny', packet({ protocol: 'udp', port }), NOT_STATEFUL).action;
  assert.equal(at('7999'), 'deny');
  assert.equal(at('8000'), 'allow');
  assert.equal(at('8099'), 'allow');
  assert.equal(at('8100'), 'deny');
  const anyPort = [rule('reject', 'in', 'any', 'any', 'any')];
  assert.equal(evaluate(anyPort, 'allow', packet({ port: '65535' }), NOT_STATEFUL).action, 'reject');
  assert.equal(evaluate(anyPort, 'allow', packet({ protocol: 'udp', port: '1' }), NOT_STATEFUL).action, 'reject');
});

test('direction and protocol must fit; any protocol means TCP and UDP', () => {
  const rules = [rule('deny', 'out', 'tcp', 'any', '25')];
  assert.equal(evaluate(rules, 'allow', packet({ direction: 'in', port: '25' }), NOT_STATEFUL).action, 'allow');
  assert.equal(evaluate(rules, 'allow', packet({ direction: 'out', protocol: 'udp', port: '25' }), NOT_STATEFUL).action, 'allow');
  assert.equal(evaluate(rules, 'allow', packet({ direction: 'out', port: '25' }), NOT_STATEFUL).action, 'deny');
  const reasons = evaluate(rules, 'allow', packet({ direction: 'in', port: '25' }), NOT_STATEFUL).checks.map((c) => c.reason);
  assert.match(reasons[0], /direction/);
});

test('IPv4 rules never match IPv6 sources and the other way round; any matches both', () => {
  const rules = [rule('deny', 'in', 'any', '0.0.0.0/0', 'any'), rule('allow', 'in', 'any', '2001:db8::/32', 'any')];
  const v6 = evaluate(rules, 'reject', packet({ source: '2001:db8::5' }), NOT_STATEFUL);
  assert.equal(v6.action, 'allow');
  assert.match(v6.checks[0].reason, /IPv4.*IPv6/);
  const otherV6 = evaluate(rules, 'reject', packet({ source: '2001:db9::5' }), NOT_STATEFUL);
  assert.equal(otherV6.action, 'reject');
  assert.equal(evaluate([rule('deny', 'in', 'any', 'any', 'any')], 'allow', packet({ source: '::1' }), NOT_STATEFUL).action, 'deny');
  assert.equal(evaluate(rules, 'allow', packet({ source: '192.0.2.1' }), NOT_STATEFUL).action, 'deny');
});

test('a bare address in a rule is a single host; host bits in a CIDR are cleared', () => {
  const one = parseSource('192.0.2.10');
  assert.deepEqual(one, { ok: true, source: { cidr: '192.0.2.10/32', version: 4 } });
  const host = parseSource('10.1.2.3/8');
  assert.deepEqual(host, { ok: true, source: { cidr: '10.0.0.0/8', version: 4 } });
  const v6 = parseSource(' 2001:DB8::1/48 ');
  assert.deepEqual(v6, { ok: true, source: { cidr: '2001:db8::/48', version: 6 } });
  assert.deepEqual(parseSource('ANY'), { ok: true, source: null });
});

test('stateful mode lets established connections through; stateless blocks the replies', () => {
  const denyAllIn = [rule('deny', 'in', 'any', 'any', 'any')];
  const reply = packet({ source: '198.51.100.9', port: '51000', established: true });
  const stateless = evaluate(denyAllIn, 'allow', reply, { stateful: false });
  assert.equal(stateless.action, 'deny');
  assert.match(stateless.summary, /cannot tell a reply from a stranger/);
  const stateful = evaluate(denyAllIn, 'allow', reply, { stateful: true });
  assert.equal(stateful.action, 'allow');
  assert.equal(stateful.by, 'state');
  // A new connection is not helped by the stateful mode.
  assert.equal(evaluate(denyAllIn, 'allow', { ...reply, established: false }, { stateful: true }).action, 'deny');
});

test('what the sender sees depends on the verdict and the protocol', () => {
  const tcpIn = packet({});
  assert.match(evaluate([], 'allow', tcpIn, NOT_STATEFUL).effect, /Delivered/);
  assert.match(evaluate([], 'deny', tcpIn, NOT_STATEFUL).effect, /ETIMEDOUT/);
  assert.match(evaluate([], 'reject', tcpIn, NOT_STATEFUL).effect, /ECONNREFUSED/);
  assert.match(evaluate([], 'deny', packet({ protocol: 'udp' }), NOT_STATEFUL).effect, /cannot even tell/);
  assert.match(evaluate([], 'deny', packet({ direction: 'out', protocol: 'udp' }), NOT_STATEFUL).effect, /EPERM/);
});

test('invalid rule input is reported per field', () => {
  const bad = (d: Partial<RuleDraft>) => checkRule({ action: 'allow', direction: 'in', protocol: 'tcp', source: 'any', ports: 'any', ...d });
  const cases: [Partial<RuleDraft>, 'source' | 'ports', RegExp][] = [
    [{ source: '' }, 'source', /Type “any”/],
    [{ source: '10.0.0.0/33' }, 'source', /0 to 32/],
    [{ source: '2001:db8::/129' }, 'source', /0 to 128/],
    [{ source: '10.0.0.256/8' }, 'source', /not an IPv4 address/],
    [{ source: '010.0.0.0/8' }, 'source', /not an IPv4 address/],
    [{ source: 'fe80::1%eth0' }, 'source', /zone/],
    [{ source: 'lan' }, 'source', /not an IPv4 address/],
    [{ ports: '' }, 'ports', /Type a port/],
    [{ ports: '0' }, 'ports', /1 to 65535/],
    [{ ports: '70000' }, 'ports', /1 to 65535/],
    [{ ports: '8099-8000' }, 'ports', /low to high/],
    [{ ports: '22,80' }, 'ports', /One port or one range/],
    [{ ports: 'ssh' }, 'ports', /not a port/],
  ];
  for (const [d, field, why] of cases) {
    const r = bad(d);
    assert.equal(r.ok, false, JSON.stringify(d));
    if (!r.ok) assert.match(r.errors[field] ?? '(none)', why, JSON.stringify(d));
  }
  assert.deepEqual(parsePorts('8000 - 8099'), { ok: true, ports: { from: 8000, to: 8099 } });
});

test('invalid packet input is reported per field', () => {
  const r = checkPacket({ direction: 'in', protocol: 'tcp', source: '10.0.0.0/8', port: '0', established: false });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.errors.source!, /one address, not a network/);
    assert.match(r.errors.port!, /1 to 65535/);
  }
});

test('moving and removing rules keeps the rest in order', () => {
  const list = ['a', 'b', 'c'];
  assert.deepEqual(moveItem(list, 2, -1), ['a', 'c', 'b']);
  assert.deepEqual(moveItem(list, 0, 1), ['b', 'a', 'c']);
  assert.equal(moveItem(list, 0, -1), list, 'moving the first up changes nothing');
  assert.equal(moveItem(list, 2, 1), list, 'moving the last down changes nothing');
  assert.deepEqual(removeAt(list, 1), ['a', 'c']);
  assert.deepEqual(list, ['a', 'b', 'c'], 'the input is not modified');
});

test('rules read back in words', () => {
  assert.equal(describeRule(rule('allow', 'in', 'tcp', '10.0.0.0/8', '22')), 'allow in tcp from 10.0.0.0/8 to port 22');
  assert.equal(describeRule(rule('reject', 'out', 'any', 'any', '8000-8099')), 'reject out tcp/udp from any to ports 8000-8099');
});
