/**
 * The frame decoder on real frames (tests/fixtures/packets, captured by make-fixtures.sh from
 * traffic between two throwaway network namespaces and on loopback), then against tshark's own
 * decoding of the same files: every field we share with Wireshark must sit at the same bytes and
 * hold the same value, and relative sequence numbers must match.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeFrame, fieldAt, summarize, TcpTracker, type DecodedFrame, type Field, type Layer } from '../../packets/index.ts';
import { readPcapngFile, type FileFrame } from '../helpers/pcapng.ts';
import { needs } from '../helpers/tools.ts';
import { compareWithTshark, flatten, tsharkPdml } from '../helpers/tshark.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'packets');
const FILES = ['loopback', 'veth', 'sack', 'any-sll2', 'any-sll'] as const;
const load = (name: (typeof FILES)[number]) => readPcapngFile(path.join(FIXTURES, `${name}.pcapng`));
const decode = (f: FileFrame) => decodeFrame(f.data, f.link, { originalLength: f.originalLength });

/** Decodes a whole file in order, with relative TCP numbers. */
function decodeAll(name: (typeof FILES)[number]) {
  const tracker = new TcpTracker();
  return load(name).map((f) => {
    const d = decode(f);
    const rel = tracker.track(d.facts);
    return { frame: f, d, rel, summary: summarize(d, rel) };
  });
}

const field = (d: DecodedFrame, key: string, nth = 0): Field | undefined =>
  d.layers.flatMap((l) => flatten(l.fields)).filter((f) => f.key === key)[nth];
const layer = (d: DecodedFrame, protocol: Layer['protocol'], quoted = false): Layer | undefined =>
  d.layers.find((l) => l.protocol === protocol && Boolean(l.quoted) === quoted);

describe('decoding real frames', () => {
  it('decodes every fixture frame with no problem, except the frames the snap length cut', () => {
    for (const name of FILES) {
      for (const [i, { d, frame }] of decodeAll(name).entries()) {
        if (frame.originalLength > frame.data.length) {
          assert.equal(d.problem?.kind, 'truncated', `${name} #${i + 1}`);
          assert.match(d.problem.message, /snap length/);
        } else {
          assert.equal(d.problem, undefined, `${name} #${i + 1}: ${d.problem?.message}`);
        }
      }
    }
  });

  it('keeps every layer and field inside the frame, and every field inside its layer', () => {
    for (const name of FILES) {
      for (const { d, frame } of decodeAll(name)) {
        for (const l of d.layers) {
          assert.ok(l.offset >= 0 && l.length >= 0 && l.offset + l.length <= frame.data.length);
          for (const f of flatten(l.fields)) {
            assert.ok(f.offset >= l.offset && f.offset + f.length <= l.offset + l.length, `${f.key} in ${l.protocol}`);
            assert.ok(f.explain.length > 10, `${f.key} has an explanation`);
            if (f.bits) assert.ok(f.bits.offset + f.bits.length <= f.length * 8, `${f.key} bits`);
          }
        }
      }
    }
  });

  it('summarises a TCP conversation on loopback with relative numbers, as Wireshark does', () => {
    const lines = decodeAll('loopback').slice(0, 10).map((x) => x.summary);
    assert.deepEqual(lines, [
      '127.0.0.1:41110 → 127.0.0.1:41100 [SYN] seq=0 win=65495',
      '127.0.0.1:41100 → 127.0.0.1:41110 [SYN, ACK] seq=0 ack=1 win=65483',
      '127.0.0.1:41110 → 127.0.0.1:41100 [ACK] seq=1 ack=1 win=65536',
      '127.0.0.1:41110 → 127.0.0.1:41100 [PSH, ACK] seq=1 ack=1 win=65536 len=14',
      '127.0.0.1:41100 → 127.0.0.1:41110 [ACK] seq=1 ack=15 win=65536',
      '127.0.0.1:41110 → 127.0.0.1:41100 [FIN, ACK] seq=15 ack=1 win=65536',
      '127.0.0.1:41100 → 127.0.0.1:41110 [PSH, ACK] seq=1 ack=16 win=65536 len=4',
      '127.0.0.1:41110 → 127.0.0.1:41100 [ACK] seq=16 ack=5 win=65536',
      '127.0.0.1:41100 → 127.0.0.1:41110 [FIN, ACK] seq=5 ack=16 win=65536',
      '127.0.0.1:41110 → 127.0.0.1:41100 [ACK] seq=16 ack=6 win=65536',
    ]);
  });

  it('keeps the raw sequence numbers beside the relative ones', () => {
    const [syn, synAck] = decodeAll('loopback');
    const raw = syn.d.facts.tcp!.seq;
    assert.equal(field(syn.d, 'tcp.seq_raw')?.raw, raw);
    assert.equal(syn.rel?.seq, 0);
    assert.equal(synAck.d.facts.tcp!.ack, (raw + 1) % 2 ** 32);
    assert.equal(synAck.rel?.ack, 1);
    assert.equal(summarize(syn.d), `127.0.0.1:41110 → 127.0.0.1:41100 [SYN] seq=${raw} win=65495`);
  });

  it('reads a SYN\'s flags and options, byte by byte and bit by bit', () => {
    const { d } = decodeAll('loopback')[0];
    const eth = layer(d, 'eth')!;
    assert.equal(field(d, 'eth.src')?.value, '00:00:00:00:00:00');
    assert.match(field(d, 'eth.src')!.explain, /loopback/);
    assert.equal(eth.length, 14);
    const syn = field(d, 'tcp.flags.syn')!;
    assert.deepEqual([syn.offset, syn.length, syn.bits, syn.raw], [47, 1, { offset: 6, length: 1 }, 1]);
    assert.equal(field(d, 'tcp.flags.ack')?.raw, 0);
    assert.equal(field(d, 'tcp.flags')?.value, '0x002 (SYN)');
    assert.deepEqual(d.facts.tcp!.options, { mss: 65495, sackPermitted: true, timestamp: d.facts.tcp!.options.timestamp, windowScale: 10 });
    assert.equal(d.facts.tcp!.options.timestamp!.echo, 0);
    assert.equal(field(d, 'tcp.options.mss_val')?.offset, 56);
    assert.equal(field(d, 'tcp.options.wscale.multiplier')?.raw, 1024);
    assert.ok(field(d, 'tcp.options.nop'), 'a NOP pads the options');
    const ipFlags = field(d, 'ip.flags.df')!;
    assert.deepEqual([ipFlags.offset, ipFlags.bits, ipFlags.raw], [20, { offset: 1, length: 1 }, 1]);
    assert.deepEqual([field(d, 'ip.frag_offset')?.offset, field(d, 'ip.frag_offset')?.length, field(d, 'ip.frag_offset')?.bits], [20, 2, { offset: 3, length: 13 }]);
    assert.equal(field(d, 'ip.checksum')?.value.endsWith('(correct)'), true);
  });

  it('finds the field a byte belongs to (the reverse of lighting a field\'s bytes)', () => {
    const all = decodeAll('loopback');
    const syn = all[0].d;
    for (let at = 0; at < syn.length; at++) assert.ok(fieldAt(syn, at), `byte ${at} belongs to a field`);
    assert.deepEqual(fieldAt(syn, 56)?.fields.map((f) => f.key), ['tcp.options', 'tcp.options.mss', 'tcp.options.mss_val']);
    const flags = fieldAt(syn, 47)!;
    assert.deepEqual(flags.fields.map((f) => f.key), ['tcp.flags'], 'the flag bits share a byte: their parent');
    assert.deepEqual(flags.sharing.map((f) => f.key), ['tcp.flags.cwr', 'tcp.flags.ece', 'tcp.flags.urg', 'tcp.flags.ack', 'tcp.flags.push', 'tcp.flags.reset', 'tcp.flags.syn', 'tcp.flags.fin']);
    assert.deepEqual(fieldAt(syn, 14)?.sharing.map((f) => f.key), ['ip.version', 'ip.hdr_len']);
    assert.deepEqual(fieldAt(syn, 27)?.fields.map((f) => f.key), ['ip.src']);
    const icmp = all.find((x) => x.d.facts.icmp?.version === 4)!.d;
    const quoted = fieldAt(icmp, 64);
    assert.deepEqual([quoted?.layer.quoted, quoted?.fields.map((f) => f.key)], [true, ['udp.dstport']]);
    assert.equal(fieldAt(syn, syn.length), null);
  });

  it('shows the learner\'s own bytes as a field', () => {
    const data = decodeAll('loopback')[3].d;
    const payload = field(data, 'tcp.payload')!;
    assert.equal(payload.value, '"hello, server\\n"');
    assert.equal(payload.raw, Buffer.from('hello, server\n').toString('hex'));
    assert.equal(payload.offset, 66);
    assert.equal(layer(data, 'payload')?.length, 14);
  });

  it('decodes a refused connect and a reset by close() with unread data', () => {
    const all = decodeAll('loopback');
    const rst = all.find((x) => x.summary.includes('41100 → 127.0.0.1:41111 [RST, ACK]'));
    assert.equal(rst?.summary, '127.0.0.1:41100 → 127.0.0.1:41111 [RST, ACK] seq=1 ack=7 win=65536');
    const refused = all.filter((x) => x.summary.includes('127.0.0.1:41101'));
    assert.deepEqual(refused.map((x) => x.summary), ['127.0.0.1:41112 → 127.0.0.1:41101 [SYN] seq=0 win=65495', '127.0.0.1:41101 → 127.0.0.1:41112 [RST, ACK] seq=1 ack=1 win=0']);
  });

  it('decodes ICMP port unreachable with the datagram it quotes', () => {
    const all = decodeAll('loopback');
    const icmp = all.find((x) => x.d.facts.icmp?.version === 4)!;
    assert.equal(icmp.summary, '127.0.0.1 → 127.0.0.1 ICMP destination unreachable (port unreachable) for UDP 127.0.0.1:41102 → 127.0.0.1:41103');
    assert.equal(field(icmp.d, 'icmp.code')?.value, '3 (port unreachable)');
    const quotedIp = layer(icmp.d, 'ip', true)!;
    const quotedUdp = layer(icmp.d, 'udp', true)!;
    assert.equal(quotedIp.offset, 14 + 20 + 8);
    assert.equal(quotedUdp.offset, quotedIp.offset + 20);
    assert.equal(field(icmp.d, 'udp.dstport')?.raw, 41103);
    assert.equal(icmp.d.facts.ip?.protocol, 1, 'facts describe the outer packet, not the quote');
    assert.equal(icmp.d.facts.udp, undefined);
    const v6 = all.find((x) => x.d.facts.icmp?.version === 6)!;
    assert.equal(v6.summary, '::1 → ::1 ICMPv6 destination unreachable (port unreachable) for UDP [::1]:41102 → [::1]:41103');
  });

  it('decodes ARP and IPv6 neighbour discovery', () => {
    const all = decodeAll('veth');
    const [request, reply] = all.filter((x) => x.d.facts.arp);
    assert.equal(request.summary, 'who has 10.9.0.2? tell 10.9.0.1');
    assert.match(reply.summary, /^10\.9\.0\.2 is at [0-9a-f:]{17}$/);
    assert.equal(field(request.d, 'arp.dst.hw_mac')?.value, '00:00:00:00:00:00');
    assert.equal(field(request.d, 'eth.dst')?.value, 'ff:ff:ff:ff:ff:ff');
    const ns = all.find((x) => x.d.facts.icmp?.type === 135 && x.d.facts.icmp.target === '2001:db8:9::2')!;
    assert.equal(ns.summary, '2001:db8:9::1 → ff02::1:ff00:2 ICMPv6 who has 2001:db8:9::2? (neighbour solicitation)');
    const na = all.find((x) => x.d.facts.icmp?.type === 136)!;
    assert.equal(na.summary, `2001:db8:9::2 → 2001:db8:9::1 ICMPv6 2001:db8:9::2 is at ${reply.d.facts.arp!.senderMac} (neighbour advertisement)`);
    assert.equal(field(na.d, 'icmpv6.nd.na.flag.s')?.raw, 1);
    assert.equal(field(na.d, 'icmpv6.nd.na.flag.r')?.raw, 0);
  });

  it('decodes IPv6 extension headers: hop-by-hop (MLD reports) and fragments', () => {
    const all = decodeAll('veth');
    const mld = all[0].d;
    assert.equal(field(mld, 'ipv6.nxt')?.raw, 0);
    assert.equal(field(mld, 'ipv6.hopopts')?.length, 8);
    assert.equal(field(mld, 'ipv6.opt.router_alert')?.raw, 0);
    assert.equal(mld.facts.ip?.protocol, 58, 'the transport protocol after the extension headers');
    const frags = all.filter((x) => x.d.facts.ip?.fragment && x.d.facts.ip.version === 6);
    assert.deepEqual(frags.map((x) => x.d.facts.ip?.fragment), ['first', 'later', 'later']);
    assert.equal(frags[0].summary, '[2001:db8:9::1]:41013 → [2001:db8:9::2]:41003 UDP len=3000 (first fragment)');
    assert.equal(field(frags[1].d, 'ipv6.fraghdr.offset')?.raw, 1448 / 8);
    assert.equal(frags[2].summary, '2001:db8:9::1 → 2001:db8:9::2 IPv6 fragment of a UDP packet');
  });

  it('decodes IPv4 options (record route) and IPv4 fragments', () => {
    const all = decodeAll('veth');
    const rr = all.find((x) => field(x.d, 'ip.options.record_route') && !x.d.facts.icmp)!;
    assert.equal(field(rr.d, 'ip.hdr_len')?.value, '32 bytes (8)');
    assert.equal(field(rr.d, 'lab.ip.options')?.length, 12);
    assert.equal(field(rr.d, 'ip.rec_rt')?.value, '10.9.0.1');
    assert.equal(rr.d.facts.udp?.srcPort, 41011);
    const frags = all.filter((x) => x.d.facts.ip?.fragment && x.d.facts.ip.version === 4);
    assert.deepEqual(frags.map((x) => field(x.d, 'ip.frag_offset')?.raw), [0, 185, 370]);
    assert.equal(frags[0].d.problem, undefined, 'a first fragment is not a malformed datagram');
  });

  it('reads SACK blocks, relative to the other side\'s first sequence number', () => {
    const sacks = decodeAll('sack').filter((x) => x.rel?.sack);
    assert.ok(sacks.length >= 3);
    assert.deepEqual(sacks[0].rel?.sack, [[4345, 5793]]);
    const raw = sacks[0].d.facts.tcp!.options.sack![0][0];
    assert.equal(field(sacks[0].d, 'tcp.options.sack_le')?.raw, raw);
    assert.match(sacks[0].summary, / sack=4345-5793$/);
  });

  it('decodes Linux cooked captures (SLL v1 and v2)', () => {
    const v2 = decodeAll('any-sll2')[0].d;
    assert.equal(v2.layers[0].protocol, 'sll2');
    assert.equal(field(v2, 'sll.pkttype')?.value, '4 (sent by this host)');
    assert.equal(v2.facts.arp?.targetIp, '10.9.0.2');
    const v1 = decodeAll('any-sll')[0].d;
    assert.equal(v1.layers[0].protocol, 'sll');
    assert.equal(v1.layers[0].length, 16);
    assert.equal(v1.facts.icmp?.type, 8);
  });

  it('reads only facts when asked for no detail, and they are the same facts', () => {
    for (const f of load('veth')) {
      const full = decode(f);
      const lean = decodeFrame(f.data, f.link, { detail: false, originalLength: f.originalLength });
      assert.deepEqual(lean.facts, full.facts);
      assert.equal(lean.layers.flatMap((l) => l.fields).length, 0);
      assert.equal(summarize(lean), summarize(full));
    }
  });
});

describe('frames that end early or make no sense', () => {
  it('cuts a real frame at every length: never throws, marks it truncated, stays inside the frame', () => {
    const frames = [...load('loopback').slice(0, 4), load('veth')[0], load('veth')[21], load('any-sll2')[0]];
    for (const f of frames) {
      for (let n = 0; n < f.data.length; n++) {
        const d = decodeFrame(f.data.subarray(0, n), f.link);
        assert.ok(d.problem, `${n} bytes: a problem is reported`);
        assert.notEqual(d.problem.message.startsWith('The decoder failed'), true, d.problem.message);
        for (const l of d.layers) {
          assert.ok(l.offset + l.length <= n);
          for (const x of flatten(l.fields)) assert.ok(x.offset + x.length <= n, `${x.key} at ${n}`);
        }
        assert.equal(typeof summarize(d), 'string');
      }
    }
  });

  it('says where a frame ends: in which header, and when the snap length cut it', () => {
    const syn = load('loopback')[0].data;
    const cut = decodeFrame(syn.subarray(0, 40), 'ethernet');
    assert.equal(cut.problem?.protocol, 'ip');
    assert.match(cut.problem!.message, /should be 60 bytes long, but the frame holds only 26/);
    assert.equal(layer(cut, 'tcp')?.problem?.message, 'The frame ends (after 40 bytes) inside the Sequence number.');
    const snapped = decodeFrame(syn.subarray(0, 40), 'ethernet', { originalLength: syn.length });
    assert.match(snapped.problem!.message, /kept only the first 40 of the frame's 74 bytes/);
    assert.equal(summarize(snapped).endsWith('[40 of 74 bytes kept]'), true);
  });

  it('marks impossible header values as malformed and keeps what came before', () => {
    const syn = new Uint8Array(load('loopback')[0].data);
    const badIhl = syn.slice();
    badIhl[14] = 0x44;
    assert.equal(decodeFrame(badIhl, 'ethernet').problem?.kind, 'malformed');
    assert.equal(decodeFrame(badIhl, 'ethernet').facts.eth?.type, 0x0800);
    const badOffset = syn.slice();
    badOffset[46] = 0x30; // TCP data offset 3 words
    const d = decodeFrame(badOffset, 'ethernet');
    assert.deepEqual([d.problem?.protocol, d.problem?.kind], ['tcp', 'malformed']);
    assert.equal(d.facts.tcp?.srcPort, 41110);
    const badOption = syn.slice();
    badOption[55] = 40; // the MSS option (at byte 54) claims 40 bytes
    assert.equal(decodeFrame(badOption, 'ethernet').problem?.message, 'The TCP option at byte 54 (kind 2) has a length (40) that does not fit the header.');
    const tooLong = syn.slice();
    tooLong[46] = 0xf0; // 60-byte header in a 40-byte segment
    assert.match(decodeFrame(tooLong, 'ethernet').problem!.message, /past the end of the packet/);
  });
});

describe('against tshark', { skip: needs('tshark') }, () => {
  it('agrees with tshark on every shared field\'s bytes and value, and on relative numbers', () => {
    let compared = 0;
    const ours = new Set<string>();
    const unmatched = new Set<string>();
    for (const name of FILES) {
      const theirs = tsharkPdml(path.join(FIXTURES, `${name}.pcapng`));
      const mine = decodeAll(name);
      assert.equal(theirs.length, mine.length, `${name}: frame count`);
      for (const [i, { d, rel }] of mine.entries()) {
        const c = compareWithTshark(`${name} #${i + 1}`, d, theirs[i], rel);
        compared += c.compared;
        for (const k of c.unmatched) unmatched.add(k);
        for (const l of d.layers) for (const f of flatten(l.fields)) ours.add(f.key);
      }
    }
    assert.ok(compared > 10_000, `compared ${compared} fields`);
    // Our own names start with "lab."; data.data is what we do not decode (e.g. an MLD body) and tshark does.
    assert.deepEqual([...unmatched].filter((k) => !k.startsWith('lab.') && k !== 'data.data'), []);
    assert.ok(ours.size > 120, `${ours.size} distinct fields`);
  });

  it('uses only names Wireshark knows, or our own "lab." names', () => {
    const known = new Set<string>();
    for (const what of ['fields', 'protocols']) {
      const r = spawnSync('tshark', ['-G', what], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      for (const line of r.stdout.split('\n')) known.add(line.split('\t')[what === 'fields' ? 2 : 2]);
    }
    const keys = new Set<string>();
    for (const name of FILES) for (const { d } of decodeAll(name)) for (const l of d.layers) for (const f of flatten(l.fields)) keys.add(f.key);
    assert.deepEqual([...keys].filter((k) => !k.startsWith('lab.') && !known.has(k)), []);
  });
});
