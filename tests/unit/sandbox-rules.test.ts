/**
 * The sandbox's pure parts: what the schemas accept and refuse (everything a learner sends passes
 * through them), the nft arguments and lines built from rules, the ip scripts built from the
 * topology, and the parsers of ip/nft/conntrack output. The integration tests run all of it for real.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConntrackLine, parseIpBatch } from '../../server/sandbox/kernel-view.ts';
import { addRuleArgs, commandLine, FILTER_TABLE, parseEchoedHandles, parseRuleList, ruleTokens } from '../../server/sandbox/nft.ts';
import { echoRequest, PingPacer, replySeq } from '../../server/sandbox/ping.ts';
import {
  AddressOrPrefixSchema,
  FirewallCommandSchema,
  FirewallRuleSchema,
  ForwardCommandSchema,
  IpAddressSchema,
  PingOptionsSchema,
} from '../../server/sandbox/schema.ts';
import { sandboxStartLine } from '../../server/sandbox/support.ts';
import { HOME, hostSysctls, setupScripts } from '../../server/sandbox/topology.ts';

const rule = (input: unknown) => FirewallRuleSchema.parse(input);

describe('addresses', () => {
  test('literal IPv4 and IPv6 come back in canonical form', () => {
    assert.equal(IpAddressSchema.parse('203.0.113.80'), '203.0.113.80');
    assert.equal(IpAddressSchema.parse('2001:DB8:0:0::1'), '2001:db8::1');
    assert.equal(AddressOrPrefixSchema.parse('192.168.1.77/24'), '192.168.1.0/24');
    assert.equal(AddressOrPrefixSchema.parse('2001:db8:1::10/64'), '2001:db8:1::/64');
  });

  test('names, odd IPv4 forms, mapped IPv6, zones and command text are refused', () => {
    for (const bad of ['example.com', '0x7f.1', '127.1', '::ffff:127.0.0.1', 'fe80::1%eth0', '1.2.3.4; flush ruleset', '1.2.3.4 accept', '', '1.2.3.4/33', '1.2.3.4/-1', '1.2.3.4/24x']) {
      assert.equal(AddressOrPrefixSchema.safeParse(bad).success, false, bad);
    }
  });
});

describe('firewall rules', () => {
  test('a drop on input for tcp port 80', () => {
    const r = rule({ chain: 'input', protocol: 'tcp', destinationPort: 80, verdict: 'drop' });
    assert.deepEqual(ruleTokens(r), ['tcp', 'dport', '80', 'counter', 'drop']);
    assert.equal(commandLine(FILTER_TABLE, r.chain, ruleTokens(r)), 'nft add rule inet lab input tcp dport 80 counter drop');
  });

  test('addresses pick the family; state; reject with a TCP reset by default for TCP', () => {
    const r = rule({ chain: 'forward', protocol: 'tcp', source: '192.168.1.0/24', state: ['new'], verdict: 'reject' });
    assert.deepEqual(ruleTokens(r), ['ip', 'saddr', '192.168.1.0/24', 'meta', 'l4proto', 'tcp', 'ct', 'state', 'new', 'counter', 'reject', 'with', 'tcp', 'reset']);
    const v6 = rule({ chain: 'input', protocol: 'udp', destination: '2001:db8:2::80', destinationPort: 53, verdict: 'reject', rejectWith: 'admin-prohibited' });
    assert.deepEqual(ruleTokens(v6), ['ip6', 'daddr', '2001:db8:2::80', 'udp', 'dport', '53', 'counter', 'reject', 'with', 'icmpx', 'type', 'admin-prohibited']);
  });

  test('icmp without an address matches both ICMP and ICMPv6; an accept of established replies', () => {
    assert.deepEqual(ruleTokens(rule({ chain: 'input', protocol: 'icmp', verdict: 'drop' })), ['meta', 'l4proto', '{', 'icmp,', 'ipv6-icmp', '}', 'counter', 'drop']);
    assert.deepEqual(ruleTokens(rule({ chain: 'input', state: ['established', 'related'], verdict: 'accept' })), ['ct', 'state', 'established,related', 'counter', 'accept']);
  });

  test('insert puts the rule first; every add asks nft for the handle', () => {
    const r = rule({ chain: 'output', verdict: 'accept' });
    assert.deepEqual(addRuleArgs(FILTER_TABLE, 'output', ruleTokens(r), 'first'), ['--echo', '--handle', '--json', 'insert', 'rule', 'inet', 'lab', 'output', 'counter', 'accept']);
  });

  test('contradictions and unknown fields are refused before anything runs', () => {
    const bad: unknown[] = [
      { chain: 'input', protocol: 'icmp', destinationPort: 80, verdict: 'drop' },
      { chain: 'input', protocol: 'udp', verdict: 'reject', rejectWith: 'tcp-reset' },
      { chain: 'input', verdict: 'drop', rejectWith: 'port-unreachable' },
      { chain: 'input', source: '192.168.1.1', destination: '2001:db8::1', verdict: 'drop' },
      { chain: 'input', state: ['new', 'new'], verdict: 'drop' },
      { chain: 'prerouting', verdict: 'drop' },
      { chain: 'input', verdict: 'drop; flush ruleset' },
      { chain: 'input', verdict: 'drop', comment: 'x' },
      { chain: 'input', protocol: 'tcp', destinationPort: 0, verdict: 'drop' },
    ];
    for (const b of bad) assert.equal(FirewallRuleSchema.safeParse(b).success, false, JSON.stringify(b));
  });

  test('commands: delete takes an id or a rule; position defaults to last', () => {
    assert.deepEqual(FirewallCommandSchema.parse({ action: 'add', rule: { chain: 'input', verdict: 'drop' } }), {
      action: 'add',
      rule: { chain: 'input', protocol: 'any', verdict: 'drop' },
      position: 'last',
    });
    assert.equal(FirewallCommandSchema.safeParse({ action: 'delete' }).success, false);
    assert.equal(FirewallCommandSchema.safeParse({ action: 'delete', id: 3, rule: { chain: 'input', verdict: 'drop' } }).success, false);
    assert.equal(FirewallCommandSchema.safeParse({ action: 'delete', id: 3 }).success, true);
    assert.equal(FirewallCommandSchema.safeParse({ action: 'rename' }).success, false);
  });
});

describe('port forwards and pings', () => {
  test('a forward is a protocol, a WAN port and a LAN address and port', () => {
    const ok = ForwardCommandSchema.parse({ action: 'add', forward: { protocol: 'tcp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 80 } });
    assert.equal(ok.action, 'add');
    for (const forward of [
      { protocol: 'icmp', wanPort: 8080, lanAddress: '192.168.1.10', lanPort: 80 },
      { protocol: 'tcp', wanPort: 70000, lanAddress: '192.168.1.10', lanPort: 80 },
      { protocol: 'tcp', wanPort: 8080, lanAddress: 'laptop', lanPort: 80 },
    ]) {
      assert.equal(ForwardCommandSchema.safeParse({ action: 'add', forward }).success, false, JSON.stringify(forward));
    }
  });

  test('ping options are bounded', () => {
    assert.deepEqual(PingOptionsSchema.parse({}), { count: 4, timeoutMs: 1000, intervalMs: 1000 });
    assert.equal(PingOptionsSchema.safeParse({ count: 11 }).success, false);
    assert.equal(PingOptionsSchema.safeParse({ intervalMs: 1 }).success, false);
  });

  test('the pings-per-second cap paces echo requests beyond the allowance instead of sending them at once', async () => {
    const pacer = new PingPacer(20); // an allowance of 20, then one every 50 ms
    const started = performance.now();
    for (let i = 0; i < 30; i++) await pacer.take();
    // The 10 beyond the allowance cannot have gone sooner than 10 x 50 ms (a floor, not a speed target).
    assert.ok(performance.now() - started >= 450, `30 echoes went in ${(performance.now() - started).toFixed(0)} ms`);
  });

  test('an echo request carries its sequence number; only an echo reply is read back', () => {
    const request = echoRequest(4, 7);
    assert.equal(request.length, 64);
    assert.equal(request[0], 8);
    assert.equal(request.readUInt16BE(6), 7);
    const reply = Buffer.from(request);
    reply[0] = 0;
    assert.equal(replySeq(4, reply), 7);
    assert.equal(replySeq(4, request), null);
    assert.equal(echoRequest(6, 1)[0], 128);
  });
});

describe('the home topology as ip scripts', () => {
  const path = (h: string) => `/proc/1/fd/${h.length}`;
  const { creators, others } = setupScripts(HOME, path);

  test('the router makes the links and the bridge; the others configure what they were given', () => {
    assert.deepEqual(creators.map((s) => s.host), ['router']);
    assert.deepEqual(others.map((s) => s.host).sort(), ['laptop', 'phone', 'server']);
    const router = creators[0]!.lines;
    assert.ok(router.includes('link add name lan address 02:00:c0:a8:01:01 type bridge'));
    assert.ok(router.includes('link add name lan-laptop address 02:01:c0:a8:01:0a type veth peer name eth0 address 02:00:c0:a8:01:0a netns /proc/1/fd/6'));
    assert.ok(router.includes('link set dev lan-laptop master lan'));
    assert.ok(router.includes('addr add 203.0.113.1/24 dev wan'));
    const laptop = others.find((s) => s.host === 'laptop')!.lines;
    assert.ok(laptop.includes('addr add 192.168.1.10/24 dev eth0'));
    assert.ok(laptop.includes('addr add 2001:db8:1::10/64 dev eth0 nodad'));
    assert.ok(laptop.includes('route add default via 192.168.1.1'));
    const server = others.find((s) => s.host === 'server')!.lines;
    assert.ok(!server.some((l) => l.startsWith('route add default')), 'the server has no default route');
  });

  test('every interface name follows `name` or `dev`, never where ip could read it as a keyword', () => {
    for (const line of [...creators, ...others].flatMap((s) => s.lines)) {
      const words = line.split(' ');
      for (const name of ['lan', 'wan', 'eth0', 'lan-laptop', 'lan-phone', 'lo']) {
        words.forEach((w, i) => {
          if (w === name && i > 0) assert.ok(['name', 'dev', 'master'].includes(words[i - 1]!), `${line}: ${name} after ${words[i - 1]}`);
        });
      }
    }
  });

  test('sysctls: SYN retries, unprivileged ports and pings in every host; forwarding on the router only', () => {
    const router = hostSysctls(HOME.hosts.find((h) => h.name === 'router')!, { synRetries: 2, pingGroup: '0 0' });
    const laptop = new Map(hostSysctls(HOME.hosts.find((h) => h.name === 'laptop')!, { synRetries: 2, pingGroup: '0 0' }).map(([k, v]) => [k, v]));
    assert.equal(laptop.get('net/ipv4/tcp_syn_retries'), '2');
    assert.equal(laptop.get('net/ipv4/ip_unprivileged_port_start'), '0');
    assert.equal(laptop.get('net/ipv4/ping_group_range'), '0 0');
    assert.equal(laptop.has('net/ipv4/ip_forward'), false);
    assert.equal(new Map(router.map(([k, v]) => [k, v])).get('net/ipv4/ip_forward'), '1');
    assert.deepEqual(router.find(([k]) => k === 'net/bridge/bridge-nf-call-iptables'), ['net/bridge/bridge-nf-call-iptables', '0', 'optional'], 'the router\'s switch does not run the IP firewall');
  });
});

describe('reading the kernel', () => {
  test('conntrack: a masqueraded connection and a forwarded one', () => {
    const snat = parseConntrackLine(
      'ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.1.10 dst=203.0.113.80 sport=40000 dport=80 src=203.0.113.80 dst=203.0.113.1 sport=80 dport=40000 [ASSURED] mark=0 zone=0 use=2',
    );
    assert.deepEqual(snat, {
      family: 4,
      protocol: 'tcp',
      state: 'ESTABLISHED',
      expiresIn: 431999,
      original: { source: '192.168.1.10', destination: '203.0.113.80', sourcePort: 40000, destinationPort: 80 },
      reply: { source: '203.0.113.80', destination: '203.0.113.1', sourcePort: 80, destinationPort: 40000 },
      sourceNat: true,
      destinationNat: false,
      flags: ['ASSURED'],
    });
    const dnat = parseConntrackLine('ipv4     2 udp      17 29 src=203.0.113.80 dst=203.0.113.1 sport=5000 dport=8080 [UNREPLIED] src=192.168.1.10 dst=203.0.113.80 sport=53 dport=5000 mark=0 use=1');
    assert.equal(dnat?.state, null);
    assert.equal(dnat?.destinationNat, true);
    assert.equal(dnat?.sourceNat, false);
    assert.deepEqual(dnat?.flags, ['UNREPLIED']);
    assert.equal(parseConntrackLine('garbage'), null);
  });

  test('ip -json -details -batch: interfaces, main-table routes of both families, neighbours', () => {
    const out = [
      JSON.stringify([
        { ifindex: 1, ifname: 'lo', operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
        { ifindex: 2, ifname: 'eth0', operstate: 'UP', link_type: 'ether', address: '02:00:c0:a8:01:0a', linkinfo: { info_kind: 'veth' }, addr_info: [{ family: 'inet6', local: '2001:db8:1::10', prefixlen: 64, scope: 'global' }] },
      ]),
      JSON.stringify([
        { type: 'unicast', dst: 'default', gateway: '192.168.1.1', dev: 'eth0', table: 'main', protocol: 'boot' },
        { type: 'unicast', dst: 'default', gateway: '2001:db8:1::1', dev: 'eth0', table: 'main', protocol: 'boot' },
        { type: 'local', dst: '192.168.1.10', dev: 'eth0', table: 'local' },
        { type: 'multicast', dst: 'ff00::/8', dev: 'eth0', table: 'local' },
      ]),
      JSON.stringify([{ dst: '192.168.1.1', dev: 'eth0', lladdr: '02:00:c0:a8:01:01', state: ['REACHABLE'] }]),
    ].join('\n');
    const view = parseIpBatch(out);
    assert.deepEqual(view.interfaces.map((i) => [i.name, i.kind, i.mac]), [['lo', 'loopback', null], ['eth0', 'veth', '02:00:c0:a8:01:0a']]);
    assert.deepEqual(view.routes.map((r) => [r.family, r.destination, r.gateway]), [[4, 'default', '192.168.1.1'], [6, 'default', '2001:db8:1::1']]);
    assert.deepEqual(view.neighbours, [{ family: 4, address: '192.168.1.1', mac: '02:00:c0:a8:01:01', device: 'eth0', state: ['REACHABLE'] }]);
    assert.throws(() => parseIpBatch('[]'), /expected 3/);
  });

  test('nft JSON: counters by handle, and the handles an --echo printed', () => {
    const list = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { chain: { family: 'inet', table: 'lab', name: 'input', handle: 1 } },
        { rule: { family: 'inet', table: 'lab', chain: 'input', handle: 4, expr: [{ match: {} }, { counter: { packets: 3, bytes: 180 } }, { drop: null }] } },
      ],
    });
    assert.deepEqual(parseRuleList(list), [{ family: 'inet', table: 'lab', chain: 'input', handle: 4, packets: 3, bytes: 180 }]);
    const echo = JSON.stringify({ nftables: [{ insert: { rule: { family: 'inet', table: 'lab', chain: 'forward', handle: 9, expr: [] } } }, { add: { table: { family: 'ip', name: 'nat' } } }] });
    assert.deepEqual(parseEchoedHandles(echo).map((r) => r.handle), [9]);
  });
});

test('the start line says on, or off with the reason and the remedy', () => {
  assert.match(sandboxStartLine({ supported: true }, 300), /^ {2}sandbox network: on .*up to 300 networks\)$/);
  const off = sandboxStartLine({ supported: false, reason: 'AppArmor restricts unprivileged user namespaces', remedy: 'Install the profile.' }, 300);
  assert.equal(off, '  sandbox network: off: AppArmor restricts unprivileged user namespaces. Install the profile.');
  assert.ok(!off.includes('\n'));
});
