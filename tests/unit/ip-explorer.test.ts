import { test } from 'node:test';
import assert from 'node:assert/strict';
import ipaddr from 'ipaddr.js';
import { analyze, binaryGroups, classify, membership, parseIpInput, MAX_INPUT_LENGTH, type KindId } from '../../app/_lib/ip-explorer.ts';

type Row = [input: string, version: 4 | 6, kind: KindId, address: string, labelPart?: string];

// One row per address: what a learner might type, and what the explorer must say about it.
const VALID: Row[] = [
  ['10.1.2.3', 4, 'private', '10.1.2.3'],
  ['192.168.1.10', 4, 'private', '192.168.1.10'],
  ['172.15.255.255', 4, 'public', '172.15.255.255'], // just below 172.16.0.0/12
  ['172.16.0.0', 4, 'private', '172.16.0.0'],
  ['172.31.255.255', 4, 'private', '172.31.255.255'],
  ['172.32.0.0', 4, 'public', '172.32.0.0'], // just above 172.16.0.0/12
  ['0.0.0.0', 4, 'unspecified', '0.0.0.0'],
  ['0.1.2.3', 4, 'reserved', '0.1.2.3', 'This network'],
  ['255.255.255.255', 4, 'broadcast', '255.255.255.255'],
  ['127.0.0.1', 4, 'loopback', '127.0.0.1'],
  ['127.255.255.255', 4, 'loopback', '127.255.255.255'],
  ['169.254.0.1', 4, 'linkLocal', '169.254.0.1'],
  ['169.254.255.254', 4, 'linkLocal', '169.254.255.254'],
  ['100.64.0.1', 4, 'carrierGradeNat', '100.64.0.1'],
  ['100.127.255.255', 4, 'carrierGradeNat', '100.127.255.255'],
  ['100.128.0.0', 4, 'public', '100.128.0.0'],
  ['192.0.2.1', 4, 'documentation', '192.0.2.1', 'TEST-NET-1'],
  ['198.51.100.7', 4, 'documentation', '198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.7', 4, 'documentation', '203.0.113.7', 'TEST-NET-3'],
  ['198.18.0.1', 4, 'benchmarking', '198.18.0.1'],
  ['224.0.0.251', 4, 'multicast', '224.0.0.251', 'local network control'],
  ['239.255.255.250', 4, 'multicast', '239.255.255.250'],
  ['240.0.0.1', 4, 'reserved', '240.0.0.1', 'future use'],
  ['8.8.8.8', 4, 'public', '8.8.8.8'],
  ['  8.8.4.4\t', 4, 'public', '8.8.4.4'], // surrounding whitespace is trimmed
  ['::', 6, 'unspecified', '::'],
  ['::1', 6, 'loopback', '::1'],
  ['fe80::', 6, 'linkLocal', 'fe80::'],
  ['fe80::1%eth0', 6, 'linkLocal', 'fe80::1'],
  ['fe80::1%br-lan', 6, 'linkLocal', 'fe80::1'],
  ['fc00::1', 6, 'uniqueLocal', 'fc00::1', 'not yet defined'],
  ['fd00::1', 6, 'uniqueLocal', 'fd00::1', 'IPv6 private'],
  ['ff02::1', 6, 'multicast', 'ff02::1'],
  ['::ffff:10.0.0.1', 6, 'ipv4Mapped', '::ffff:10.0.0.1'],
  ['::ffff:192.0.2.1', 6, 'ipv4Mapped', '::ffff:192.0.2.1'],
  ['::1.2.3.4', 6, 'ipv4Compatible', '::102:304'],
  ['2001:db8::1', 6, 'documentation', '2001:db8::1'],
  ['2001:0DB8:0000::0001', 6, 'documentation', '2001:db8::1'], // leading zeros and capitals are fine in IPv6
  ['2606:4700::1111', 6, 'public', '2606:4700::1111'],
  ['2002:c000:201::1', 6, 'transition', '2002:c000:201::1', '6to4'],
  ['64:ff9b::c000:201', 6, 'transition', '64:ff9b::c000:201', 'NAT64'],
  ['4000::1', 6, 'reserved', '4000::1', 'not allocated'],
  ['fec0::1', 6, 'reserved', 'fec0::1', 'Site-local'],
];

for (const [input, version, kindId, address, labelPart] of VALID) {
  test(`classifies ${JSON.stringify(input)} as ${kindId}`, () => {
    const r = analyze(input);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.version, version);
    assert.equal(r.value.kind.id, kindId, r.value.kind.label);
    assert.equal(r.value.address, address);
    assert.ok(r.value.kind.explain.length > 20, 'every kind has a plain-words explanation');
    if (labelPart) assert.match(r.value.kind.label, new RegExp(labelPart, 'i'));
  });
}

const INVALID: [input: unknown, messagePart: RegExp][] = [
  ['', /Type an address/],
  ['   ', /Type an address/],
  ['hello', /Not an IPv4 or IPv6 address/],
  ['010.0.0.1', /inet_aton\(\) would read it as 8\.0\.0\.1/], // leading zero = octal to old C code
  ['192.168.01.1', /not plain dotted decimal/],
  ['0x7f.0.0.1', /inet_aton\(\) would read it as 127\.0\.0\.1/],
  ['10.1', /inet_aton\(\) would read it as 10\.0\.0\.1/],
  ['3232235777', /192\.168\.1\.1/],
  ['256.1.1.1', /256 is too big/],
  ['1.2.3.4.5', /exactly four numbers/],
  ['1.2.3.4/33', /0 to 32/],
  ['::1/129', /0 to 128/],
  ['10.0.0.0/x', /prefix length/],
  ['10.0.0.0/', /prefix length/],
  ['1.2.3.4%eth0', /only for IPv6/],
  ['fe80::1%eth0/64', /one address, not to a network/],
  ['fe80::1%', /zone after %/],
  ['fe80::1%eth0;rm', /zone after %/],
  ['1::2::3', /only once/],
  ['12345::1', /at most 4 hex digits/],
  ['1:2:3:4:5:6:7:8:9', /8 groups/],
  ['2001:db8:zz::1', /only the digits 0-9/],
  ['[::1]', /Square brackets/],
  ['192.168.1.1:80', /address:port/],
  ['10.0. 0.1', /Remove the space/],
  ['1'.repeat(MAX_INPUT_LENGTH + 1), /characters/],
  ['1.2.3.4/024', /prefix length/],
  [undefined, /Type an address/],
  [42, /Type an address/],
];

for (const [input, messagePart] of INVALID) {
  test(`refuses ${JSON.stringify(input)?.slice(0, 40)} with a clear message`, () => {
    const r = analyze(input);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, messagePart);
  });
}

test('never throws, whatever is typed', () => {
  const nasty = ['::ffff:999.1.1.1', ':::', '::/', '/24', '%', '1.2.3.4/', 'fe80::%', '::ffff:1.2.3', '1..2.3', '.1.2.3', 'ff02::1%1/8', '\u0000', '١٢٧.٠.٠.١'];
  for (const s of nasty) assert.doesNotThrow(() => analyze(s), s);
});

test('IPv4 CIDR facts: network, broadcast, hosts, size, netmask', () => {
  const r = analyze('192.168.1.0/24');
  assert.ok(r.ok);
  const n = r.value.network!;
  assert.equal(n.cidr, '192.168.1.0/24');
  assert.equal(n.broadcast, '192.168.1.255');
  assert.equal(n.firstHost, '192.168.1.1');
  assert.equal(n.lastHost, '192.168.1.254');
  assert.equal(n.size, 256n);
  assert.equal(n.usableText, '254');
  assert.equal(n.netmask, '255.255.255.0');
  assert.equal(n.wildcard, '0.0.0.255');
  assert.equal(n.mixedNote, null);
});

test('a CIDR with host bits set is read as an address on its network', () => {
  const r = analyze('192.168.1.77/24');
  assert.ok(r.ok);
  assert.equal(r.value.address, '192.168.1.77');
  assert.equal(r.value.network!.network, '192.168.1.0');
  assert.ok(r.value.notes.some((n) => n.includes('host bits set')));
});

test('/31 and /32 have no network or broadcast address to lose', () => {
  const p2p = analyze('10.0.0.0/31');
  assert.ok(p2p.ok);
  assert.equal(p2p.value.network!.broadcast, null);
  assert.equal(p2p.value.network!.firstHost, '10.0.0.0');
  assert.equal(p2p.value.network!.lastHost, '10.0.0.1');
  const host = analyze('10.0.0.7/32');
  assert.ok(host.ok);
  assert.equal(host.value.network!.size, 1n);
  assert.equal(host.value.network!.firstHost, '10.0.0.7');
});

test('/31 is a point-to-point link (RFC 3021): two usable addresses, unlike /30, which loses two', () => {
  const p2p = analyze('192.0.2.6/31');
  assert.ok(p2p.ok);
  const n = p2p.value.network!;
  assert.deepEqual([n.network, n.firstHost, n.lastHost, n.broadcast, n.size, n.usableText], ['192.0.2.6', '192.0.2.6', '192.0.2.7', null, 2n, null]);
  assert.match(n.hostNote, /point-to-point.*RFC 3021/);
  const lan = analyze('192.0.2.4/30');
  assert.ok(lan.ok);
  const l = lan.value.network!;
  assert.deepEqual([l.firstHost, l.lastHost, l.broadcast, l.usableText], ['192.0.2.5', '192.0.2.6', '192.0.2.7', '2']);
});

test('IPv6 /127 is a point-to-point link (RFC 6164): both addresses usable, no Subnet-Router anycast', () => {
  for (const input of ['2001:db8::/127', '2001:db8::1/127']) {
    const p2p = analyze(input);
    assert.ok(p2p.ok);
    const n = p2p.value.network!;
    assert.deepEqual([n.network, n.firstHost, n.lastHost, n.broadcast, n.size], ['2001:db8::', '2001:db8::', '2001:db8::1', null, 2n], input);
    assert.match(n.hostNote, /point-to-point.*RFC 6164/);
    assert.doesNotMatch(n.hostNote, /anycast/);
  }
  // One bit shorter is a tiny LAN again: the all-zeros address is the Subnet-Router anycast address.
  const lan = analyze('2001:db8::/126');
  assert.ok(lan.ok);
  assert.deepEqual([lan.value.network!.firstHost, lan.value.network!.lastHost], ['2001:db8::1', '2001:db8::3']);
  assert.match(lan.value.network!.hostNote, /Subnet-Router anycast/);
  const host = analyze('2001:db8::5/128');
  assert.ok(host.ok);
  assert.deepEqual([host.value.network!.firstHost, host.value.network!.lastHost, host.value.network!.size], ['2001:db8::5', '2001:db8::5', 1n]);
});

test('IPv6 CIDR facts: no broadcast, size as a power of two', () => {
  const r = analyze('2001:db8::/32');
  assert.ok(r.ok);
  const n = r.value.network!;
  assert.equal(n.broadcast, null);
  assert.equal(n.firstHost, '2001:db8::1');
  assert.equal(n.lastHost, '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
  assert.equal(n.size, 1n << 96n);
  assert.match(n.sizeText, /^2\^96 = 79,228,162,514,264,337,593,543,950,336$/);
  assert.equal(n.netmask, 'ffff:ffff:: (/32)');
});

test('a block that spans several kinds says so', () => {
  const r = analyze('8.0.0.0/6'); // contains 10.0.0.0/8
  assert.ok(r.ok);
  assert.equal(r.value.kind.id, 'mixed');
  assert.match(r.value.network!.mixedNote!, /Private/);
  const all = analyze('0.0.0.0/0');
  assert.ok(all.ok);
  assert.match(all.value.kind.label, /default route/);
});

test('binary groups: 8 bits per IPv4 octet, 16 per IPv6 group, prefix bits counted per group', () => {
  const v4 = parseIpInput('192.168.1.0/20');
  assert.ok(v4.ok);
  const g = binaryGroups(v4.value.addr, 20);
  assert.deepEqual(g.map((x) => x.bits), ['11000000', '10101000', '00000001', '00000000']);
  assert.deepEqual(g.map((x) => x.prefixBits), [8, 8, 4, 0]);
  const v6 = analyze('2001:db8::/36');
  assert.ok(v6.ok);
  assert.equal(v6.value.binary.length, 8);
  assert.equal(v6.value.binary[0].bits, '0010000000000001');
  assert.deepEqual(v6.value.binary.map((x) => x.prefixBits), [16, 16, 4, 0, 0, 0, 0, 0]);
});

test('hex and decimal forms', () => {
  const v4 = analyze('192.168.1.1');
  assert.ok(v4.ok);
  assert.equal(v4.value.hex, '0xC0A80101');
  assert.equal(v4.value.decimal, '3232235777');
  const v6 = analyze('::1');
  assert.ok(v6.ok);
  assert.equal(v6.value.hex, '0000:0000:0000:0000:0000:0000:0000:0001');
});

test('IPv4-mapped: the IPv4 address inside is classified too', () => {
  const r = analyze('::ffff:10.0.0.1');
  assert.ok(r.ok);
  assert.equal(r.value.embeddedV4?.address, '10.0.0.1');
  assert.equal(r.value.embeddedV4?.kind.id, 'private');
});

test('a zone is kept apart from the address and explained', () => {
  const r = analyze('fe80::1%eth0');
  assert.ok(r.ok);
  assert.equal(r.value.zone, 'eth0');
  assert.ok(r.value.notes.some((n) => n.includes('%eth0') && n.includes('interface')));
});

test('IPv6 multicast explains its scope', () => {
  const r = analyze('ff02::1');
  assert.ok(r.ok);
  assert.match(r.value.kind.explain, /link-local/);
  assert.match(r.value.kind.explain, /all nodes/);
});

test('membership: inside and outside, with the bits that decide', () => {
  const yes = membership('192.168.1.77', '192.168.1.0/24');
  assert.ok(yes.ok);
  assert.equal(yes.value.inside, true);
  assert.match(yes.value.why, /first 24 bits/);
  const no = membership('192.168.2.77', '192.168.1.0/24');
  assert.ok(no.ok);
  assert.equal(no.value.inside, false);
  assert.match(no.value.why, /differ at bit 23/);
});

test('membership: boundaries of 172.16.0.0/12', () => {
  const at = (a: string) => {
    const r = membership(a, '172.16.0.0/12');
    assert.ok(r.ok);
    return r.value.inside;
  };
  assert.equal(at('172.15.255.255'), false);
  assert.equal(at('172.16.0.0'), true);
  assert.equal(at('172.31.255.255'), true);
  assert.equal(at('172.32.0.0'), false);
});

test('membership: blocks inside blocks, families, mapped addresses', () => {
  const inner = membership('10.1.2.0/24', '10.0.0.0/8');
  assert.ok(inner.ok && inner.value.inside);
  const bigger = membership('10.0.0.0/8', '10.1.0.0/16');
  assert.ok(bigger.ok && !bigger.value.inside);
  assert.match(bigger.ok ? bigger.value.why : '', /bigger block/);
  const family = membership('2001:db8::1', '10.0.0.0/8');
  assert.ok(family.ok && !family.value.inside);
  assert.match(family.ok ? family.value.why : '', /never overlap/);
  const mapped = membership('::ffff:10.0.0.1', '10.0.0.0/8');
  assert.ok(mapped.ok && mapped.value.inside);
  const v6 = membership('2001:db8:1::5', '2001:db8::/32');
  assert.ok(v6.ok && v6.value.inside);
  const zone = membership('fe80::1%eth0', 'fe80::/10');
  assert.ok(zone.ok && zone.value.inside);
});

test('membership: the network must be a CIDR block, and errors are messages', () => {
  const noPrefix = membership('10.0.0.1', '10.0.0.0');
  assert.equal(noPrefix.ok, false);
  assert.match(noPrefix.ok ? '' : noPrefix.error, /prefix length/);
  const badSubject = membership('nope', '10.0.0.0/8');
  assert.equal(badSubject.ok, false);
  assert.match(badSubject.ok ? '' : badSubject.error, /address above/);
});

test('the refinement tables stay inside what ipaddr.js names them', () => {
  // Guards against an ipaddr.js upgrade renaming a range: the explorer would silently lose a kind.
  const checks: [string, string][] = [
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['fd00::1', 'uniqueLocal'],
    ['2606:4700::1', 'unicast'],
  ];
  for (const [a, name] of checks) assert.equal(ipaddr.parse(a).range(), name, a);
  assert.equal(classify(ipaddr.parse('3fff::1')).id, 'documentation');
});
