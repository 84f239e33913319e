import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addRule,
  allocatePublicPort,
  checkPacket,
  checkRule,
  clearMappings,
  initialState,
  parsePort,
  removeRule,
  send,
  FIRST_PUBLIC_PORT,
  type NatState,
  type Packet,
  type PacketDraft,
  type Protocol,
} from '../../app/_lib/nat.ts';

const PUBLIC = '203.0.113.7';

function out(protocol: Protocol, src: string, dst: string): Packet {
  const [sa, sp] = src.split(':');
  const [da, dp] = dst.split(':');
  return { direction: 'outbound', protocol, source: { address: sa, port: +sp }, destination: { address: da, port: +dp } };
}
function inb(protocol: Protocol, src: string, dstPort: number): Packet {
  const [sa, sp] = src.split(':');
  return { direction: 'inbound', protocol, source: { address: sa, port: +sp }, destination: { address: PUBLIC, port: dstPort } };
}

test('an outbound packet gets a public source and a translation', () => {
  const r = send(initialState(), out('tcp', '192.168.1.20:51000', '198.51.100.9:443'));
  assert.equal(r.outcome, 'translated');
  assert.deepEqual(r.after?.source, { address: PUBLIC, port: FIRST_PUBLIC_PORT });
  assert.deepEqual(r.after?.destination, { address: '198.51.100.9', port: 443 });
  assert.equal(r.createdMapping, true);
  assert.equal(r.state.mappings.length, 1);
  assert.match(r.explanation, /New translation/);
});

test('the same internal endpoint reuses its mapping, whatever it talks to', () => {
  let s = send(initialState(), out('tcp', '192.168.1.20:51000', '198.51.100.9:443')).state;
  const again = send(s, out('tcp', '192.168.1.20:51000', '192.0.2.50:80'));
  assert.equal(again.outcome, 'translated');
  assert.equal(again.createdMapping, false);
  assert.equal(again.after?.source.port, FIRST_PUBLIC_PORT);
  s = again.state;
  assert.equal(s.mappings.length, 1);
  assert.deepEqual(s.mappings[0].peers, ['198.51.100.9:443', '192.0.2.50:80']);
});

test('different internal endpoints get distinct public ports, even with the same port number', () => {
  let s = initialState();
  const ports: number[] = [];
  for (const src of ['192.168.1.20:51000', '192.168.1.21:51000', '192.168.1.20:51001']) {
    const r = send(s, out('tcp', src, '198.51.100.9:443'));
    ports.push(r.after!.source.port);
    s = r.state;
  }
  assert.deepEqual(ports, [FIRST_PUBLIC_PORT, FIRST_PUBLIC_PORT + 1, FIRST_PUBLIC_PORT + 2]);
  assert.equal(new Set(ports).size, 3);
});

test('a reply is translated back to the inside endpoint', () => {
  const s = send(initialState(), out('udp', '192.168.1.30:5353', '198.51.100.53:53')).state;
  const r = send(s, inb('udp', '198.51.100.53:53', FIRST_PUBLIC_PORT));
  assert.equal(r.outcome, 'reply');
  assert.deepEqual(r.after?.destination, { address: '192.168.1.30', port: 5353 });
  assert.deepEqual(r.after?.source, { address: '198.51.100.53', port: 53 });
});

test('a stranger writing to a mapped port is dropped (address-and-port-dependent filtering)', () => {
  const s = send(initialState(), out('udp', '192.168.1.30:5353', '198.51.100.53:53')).state;
  const otherPort = send(s, inb('udp', '198.51.100.53:54', FIRST_PUBLIC_PORT));
  assert.equal(otherPort.outcome, 'dropped');
  const stranger = send(s, inb('udp', '192.0.2.66:53', FIRST_PUBLIC_PORT));
  assert.equal(stranger.outcome, 'dropped');
  assert.equal(stranger.after, null);
  assert.match(stranger.explanation, /unsolicited/);
});

test('unsolicited inbound traffic with no rule is dropped', () => {
  const r = send(initialState(), inb('tcp', '198.51.100.9:40000', 22));
  assert.equal(r.outcome, 'dropped');
  assert.equal(r.after, null);
  assert.match(r.explanation, /no translation and no forwarding rule/);
});

test('port forwarding sends inbound traffic to the internal host, and the answer goes back out', () => {
  const added = addRule(initialState(), { protocol: 'tcp', externalPort: '8080', internalAddress: '192.168.1.10', internalPort: '80' });
  assert.equal(added.errors, null);
  const r = send(added.state, inb('tcp', '198.51.100.9:40000', 8080));
  assert.equal(r.outcome, 'forwarded');
  assert.deepEqual(r.after?.destination, { address: '192.168.1.10', port: 80 });
  const answer = send(r.state, out('tcp', '192.168.1.10:80', '198.51.100.9:40000'));
  assert.equal(answer.outcome, 'translated');
  assert.deepEqual(answer.after?.source, { address: PUBLIC, port: 8080 });
});

test('TCP and UDP are separate: a TCP rule does not forward UDP, and mappings do not cross', () => {
  const s = addRule(initialState(), { protocol: 'tcp', externalPort: '3478', internalAddress: '192.168.1.10', internalPort: '3478' }).state;
  const udp = send(s, inb('udp', '198.51.100.9:40000', 3478));
  assert.equal(udp.outcome, 'dropped');
  assert.match(udp.explanation, /TCP and UDP ports are separate/);

  const t = send(initialState(), out('tcp', '192.168.1.20:51000', '198.51.100.9:443')).state;
  const udpReply = send(t, inb('udp', '198.51.100.9:443', FIRST_PUBLIC_PORT));
  assert.equal(udpReply.outcome, 'dropped');
  // The same internal endpoint over UDP gets its own mapping (and may reuse the number: a separate space).
  const u = send(t, out('udp', '192.168.1.20:51000', '198.51.100.9:443'));
  assert.equal(u.createdMapping, true);
  assert.equal(u.after?.source.port, FIRST_PUBLIC_PORT);
  assert.equal(u.state.mappings.length, 2);
});

test('dynamic ports skip forwarded ports', () => {
  const s = addRule(initialState(), { protocol: 'tcp', externalPort: String(FIRST_PUBLIC_PORT), internalAddress: '192.168.1.10', internalPort: '22' }).state;
  assert.equal(allocatePublicPort(s, 'tcp'), FIRST_PUBLIC_PORT + 1);
  assert.equal(allocatePublicPort(s, 'udp'), FIRST_PUBLIC_PORT);
});

test('LAN to LAN traffic is not translated', () => {
  const r = send(initialState(), out('tcp', '192.168.1.20:51000', '192.168.1.30:22'));
  assert.equal(r.outcome, 'local');
  assert.equal(r.state.mappings.length, 0);
});

test('removing a rule and clearing the table', () => {
  const added = addRule(initialState(), { protocol: 'udp', externalPort: '51820', internalAddress: '192.168.1.5', internalPort: '51820' });
  const withConn = send(added.state, inb('udp', '198.51.100.9:40000', 51820)).state;
  assert.equal(withConn.mappings.length, 1);
  const removed = removeRule(withConn, added.rule!.id);
  assert.equal(removed.rules.length, 0);
  assert.equal(removed.mappings.length, 0);
  assert.equal(send(removed, inb('udp', '198.51.100.9:40000', 51820)).outcome, 'dropped');
  const s = send(initialState(), out('tcp', '192.168.1.20:1', '198.51.100.9:2')).state;
  assert.equal(clearMappings(s).mappings.length, 0);
});

test('rules: invalid ports, hosts and duplicates are rejected with a message', () => {
  const s0 = initialState();
  const bad = checkRule(s0, { protocol: 'tcp', externalPort: '70000', internalAddress: '10.0.0.5', internalPort: 'http' });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.match(bad.errors.externalPort!, /1 to 65535/);
    assert.match(bad.errors.internalAddress!, /not on the LAN/);
    assert.match(bad.errors.internalPort!, /not a port/);
  }
  for (const [addr, why] of [['192.168.1.1', /router itself/], ['192.168.1.255', /broadcast/], ['192.168.1.0', /network address/], ['192.168.001.5', /not an IPv4/]] as const) {
    const r = checkRule(s0, { protocol: 'tcp', externalPort: '80', internalAddress: addr, internalPort: '80' });
    assert.equal(r.ok, false, addr);
    if (!r.ok) assert.match(r.errors.internalAddress!, why);
  }
  const s1 = addRule(s0, { protocol: 'tcp', externalPort: '80', internalAddress: '192.168.1.10', internalPort: '80' }).state;
  const dup = addRule(s1, { protocol: 'tcp', externalPort: '80', internalAddress: '192.168.1.11', internalPort: '8080' });
  assert.match(dup.errors?.externalPort ?? '', /already forwarded/);
  assert.equal(dup.state.rules.length, 1);
  // Same number, other protocol: allowed.
  assert.equal(addRule(s1, { protocol: 'udp', externalPort: '80', internalAddress: '192.168.1.11', internalPort: '80' }).errors, null);
});

test('packets: invalid addresses and ports are rejected with a message', () => {
  const s: NatState = initialState();
  const draft = (d: Partial<PacketDraft>): PacketDraft => ({
    direction: 'outbound',
    protocol: 'tcp',
    sourceAddress: '192.168.1.20',
    sourcePort: '51000',
    destinationAddress: '198.51.100.9',
    destinationPort: '443',
    ...d,
  });
  assert.equal(checkPacket(s, draft({})).ok, true);
  const cases: [Partial<PacketDraft>, keyof Omit<PacketDraft, 'direction' | 'protocol'>, RegExp][] = [
    [{ sourceAddress: '10.0.0.5' }, 'sourceAddress', /not on the LAN/],
    [{ sourceAddress: 'pc' }, 'sourceAddress', /not an IPv4 address/],
    [{ sourcePort: '0' }, 'sourcePort', /never appears/],
    [{ sourcePort: '-1' }, 'sourcePort', /not a port/],
    [{ destinationPort: '' }, 'destinationPort', /Type a port/],
    [{ destinationAddress: '127.0.0.1' }, 'destinationAddress', /loopback/],
    [{ destinationAddress: '255.255.255.255' }, 'destinationAddress', /broadcast/],
    [{ destinationAddress: '2001:db8::1' }, 'destinationAddress', /IPv6/],
    [{ destinationAddress: PUBLIC }, 'destinationAddress', /hairpin/],
    [{ direction: 'inbound', sourceAddress: '198.51.100.9', destinationAddress: '198.51.100.10' }, 'destinationAddress', /public address, 203\.0\.113\.7/],
    [{ direction: 'inbound', sourceAddress: '192.168.1.20', destinationAddress: PUBLIC }, 'sourceAddress', /on your LAN/],
  ];
  for (const [d, field, why] of cases) {
    const r = checkPacket(s, draft(d));
    assert.equal(r.ok, false, JSON.stringify(d));
    if (!r.ok) assert.match(r.errors[field] ?? '(no error)', why, JSON.stringify(d));
  }
  assert.deepEqual(parsePort(' 443 '), { ok: true, port: 443 });
  assert.equal(parsePort('65536').ok, false);
  assert.equal(parsePort('1e3').ok, false);
});
