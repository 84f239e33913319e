/**
 * The BPF filter builder, run on real frames by a small cBPF interpreter (tests/helpers/cbpf.ts).
 * Which frames a filter should keep is worked out independently, from the decoder's reading of
 * each frame; both must agree on every fixture frame. tests/integration/capture.test.ts attaches
 * the same programs to real sockets.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeFrame, type PacketFacts } from '../../packets/index.ts';
import { compileFilter, MAX_INSTRUCTIONS, portRanges, type CaptureFilter } from '../../server/capture/bpf.ts';
import { runFilter } from '../helpers/cbpf.ts';
import { ACK, SYN, tcpFrame } from '../helpers/frames.ts';
import { readPcapngFile } from '../helpers/pcapng.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'packets');
const ETHERNET = ['loopback', 'veth', 'sack'].flatMap((n) => readPcapngFile(path.join(FIXTURES, `${n}.pcapng`)));
const SNAP = 1500;

/** Whether a frame is "TCP or UDP with a port in the set, or an ICMP error about such a packet", from the decoder's facts. */
function aboutPorts(facts: PacketFacts, ports: Set<number>): boolean {
  if (facts.ip?.fragment === 'later') return false;
  const t = facts.tcp ?? facts.udp;
  if (t) return ports.has(t.srcPort) || ports.has(t.dstPort);
  const q = facts.icmp?.quoted;
  const isError = facts.icmp && (facts.icmp.version === 4 ? [3, 4, 5, 11, 12] : [1, 2, 3, 4]).includes(facts.icmp.type);
  return Boolean(isError && q && (q.protocol === 6 || q.protocol === 17) && q.srcPort !== undefined && (ports.has(q.srcPort) || ports.has(q.dstPort!)));
}

function kept(filter: CaptureFilter, frame: Uint8Array, pktType = 0): boolean {
  const n = runFilter(compileFilter(filter, { snaplen: SNAP }), frame, { pktType });
  assert.ok(n === 0 || n === SNAP);
  return n === SNAP;
}

describe('BPF filters on real frames', () => {
  const portSets = [[41100], [41102], [41103], [41000, 41004], [41001], [41003], [41010, 41011, 41012, 41013], [41020, 41021, 41022, 41026], [1, 65535]];

  it('keeps exactly the frames with a port in the set (and ICMP errors about them)', () => {
    let keptCount = 0;
    for (const ports of portSets) {
      const set = new Set(ports);
      const program = compileFilter({ match: 'ports', ports }, { snaplen: SNAP });
      for (const f of ETHERNET) {
        const expected = aboutPorts(decodeFrame(f.data, 'ethernet').facts, set);
        const got = runFilter(program, f.data) === SNAP;
        assert.equal(got, expected, `ports ${ports}: ${Buffer.from(f.data.subarray(0, 64)).toString('hex')}`);
        if (got) keptCount++;
      }
    }
    assert.ok(keptCount > 150, `${keptCount} frames kept across the sets`);
  });

  it('keeps the ICMP port unreachable for a datagram from a port in the set, on IPv4 and IPv6', () => {
    const unreachable = ETHERNET.filter((f) => decodeFrame(f.data, 'ethernet').facts.icmp?.quoted?.dstPort === 41103);
    assert.equal(unreachable.length, 2);
    for (const f of unreachable) {
      assert.equal(kept({ match: 'ports', ports: [41102] }, f.data), true);
      assert.equal(kept({ match: 'ports', ports: [41102], icmpErrors: false }, f.data), false);
      assert.equal(kept({ match: 'ports', ports: [41100] }, f.data), false);
    }
  });

  it('keeps ARP, or ICMP and ICMPv6 (neighbour discovery and MLD too)', () => {
    for (const f of ETHERNET) {
      const facts = decodeFrame(f.data, 'ethernet').facts;
      assert.equal(kept({ match: 'arp' }, f.data), Boolean(facts.arp));
      assert.equal(kept({ match: 'icmp' }, f.data), Boolean(facts.icmp));
    }
  });

  it('combines filters: not, any-of, all-of', () => {
    const ports: CaptureFilter = { match: 'ports', ports: [41100] };
    for (const f of ETHERNET) {
      const facts = decodeFrame(f.data, 'ethernet').facts;
      const p = aboutPorts(facts, new Set([41100]));
      assert.equal(kept({ match: 'not', filter: ports }, f.data), !p);
      assert.equal(kept({ match: 'any-of', filters: [ports, { match: 'arp' }] }, f.data), p || Boolean(facts.arp));
      assert.equal(kept({ match: 'all-of', filters: [ports, { match: 'icmp' }] }, f.data), p && Boolean(facts.icmp));
      assert.equal(kept({ match: 'all' }, f.data), true);
      assert.equal(kept({ match: 'any-of', filters: [] }, f.data), false);
    }
  });

  it('drops what this host sent when asked to (loopback shows each packet leaving and arriving)', () => {
    const program = compileFilter({ match: 'all' }, { snaplen: 96, skipOutgoing: true });
    const frame = ETHERNET[0].data;
    assert.equal(runFilter(program, frame, { pktType: 0 }), 96);
    assert.equal(runFilter(program, frame, { pktType: 4 }), 0);
  });
});

describe('BPF program building', () => {
  it('merges ports into ranges and refuses what is not a port', () => {
    assert.deepEqual(portRanges([41003, 41001, 41002, 41000, 41010, 41002]), [[41000, 41003], [41010, 41010]]);
    assert.throws(() => portRanges([70000]), RangeError);
    assert.throws(() => portRanges([1.5]), RangeError);
    assert.throws(() => portRanges(Array.from({ length: 1100 }, (_, i) => i * 2)), RangeError);
  });

  it('tests any port set exactly, however far its jumps reach', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 65535 }), (ports, other) => {
        const program = compileFilter({ match: 'ports', ports }, { snaplen: SNAP });
        assert.ok(program.length <= MAX_INSTRUCTIONS);
        for (const insn of program) assert.ok(insn.jt <= 255 && insn.jf <= 255);
        const set = new Set(ports);
        for (const [src, dst] of [[ports[0], other], [other, ports.at(-1)!], [other, other]]) {
          const frame = tcpFrame({ src, dst, seq: 1, ack: 1, flags: SYN | ACK });
          assert.equal(runFilter(program, frame) === SNAP, set.has(src) || set.has(dst), `${src} → ${dst} with ${ports.length} ports`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a snap length the kernel would not take', () => {
    assert.throws(() => compileFilter({ match: 'all' }, { snaplen: 0 }), RangeError);
  });
});
