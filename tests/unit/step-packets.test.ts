/**
 * The packets under a network scenario step (app/_lib/lab/packets/step-packets.ts, host-lanes.ts)
 * on a real captured SYN and SYN-ACK (tests/fixtures/packets/loopback.pcapng), readdressed as the
 * sandbox's router sees them on lan and wan: which host lanes each sighting runs between, which
 * sighting is the router's rewritten copy, and which endpoints of its summary are marked.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PacketEvent, ProtocolNetworkView } from '../../server/protocol/index.ts';
import { readPcapngFile } from '../helpers/pcapng.ts';
import { applyPacket, NO_PACKETS, type PacketsState } from '../../app/_lib/lab/packets/store.ts';
import { factsOf } from '../../app/_lib/lab/packets/decoded.ts';
import { hostLanes, hostsByAddress } from '../../app/_lib/lab/packets/host-lanes.ts';
import { crossingWords, stepPacketRows, summaryParts } from '../../app/_lib/lab/packets/step-packets.ts';

const FRAMES = readPcapngFile(path.join(import.meta.dirname, '..', 'fixtures', 'packets', 'loopback.pcapng'));

const iface = (name: string, ...addresses: string[]) => ({ name, addresses: addresses.map((address) => ({ address, scope: 'global' })) });
// Only what the lanes read of the kernel's view: each host's interfaces and addresses.
const VIEW = {
  hosts: [
    { name: 'laptop', interfaces: [iface('lo', '127.0.0.1'), iface('eth0', '192.168.1.10')] },
    { name: 'phone', interfaces: [iface('eth0', '192.168.1.11')] },
    { name: 'router', interfaces: [iface('lan0', '192.168.1.1'), iface('wan0', '203.0.113.1')] },
    { name: 'server', interfaces: [iface('eth0', '203.0.113.80')] },
  ],
} as unknown as ProtocolNetworkView;

const ip4 = (s: string) => s.split('.').map(Number);

/** A real loopback TCP frame with new addresses and source port, as one link of the router saw it. */
function readdressed(flags: number, src: string, sport: number | null, dst: string, dport: number | null): Uint8Array {
  const f = FRAMES.find((x) => {
    const facts = factsOf({ frame: x.data, length: x.originalLength } as never);
    return facts.ip?.version === 4 && facts.tcp?.flags === flags;
  });
  assert.ok(f, `a fixture frame with TCP flags ${flags}`);
  const out = f.data.slice();
  out.set(ip4(src), 26);
  out.set(ip4(dst), 30);
  if (sport !== null) out.set([sport >> 8, sport & 0xff], 34);
  if (dport !== null) out.set([dport >> 8, dport & 0xff], 36);
  return out;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
let n = 0;
function packet(link: 'lan' | 'wan', direction: 'in' | 'out', frame: Uint8Array, summary: string, cause: string, time: number): PacketEvent {
  return { event: 'packet', n: ++n, link, host: 'router', time, frame: b64(frame), length: frame.length, direction, summary, cause };
}

describe('packets under a network step', () => {
  const synLan = readdressed(0x002, '192.168.1.10', 51234, '203.0.113.80', 80);
  const synWan = readdressed(0x002, '203.0.113.1', 51234, '203.0.113.80', 80);
  const ackWan = readdressed(0x012, '203.0.113.80', 80, '203.0.113.1', 51234);
  const ackLan = readdressed(0x012, '203.0.113.80', 80, '192.168.1.10', 51234);
  let s: PacketsState = NO_PACKETS;
  for (const e of [
    packet('lan', 'in', synLan, '192.168.1.10:51234 → 203.0.113.80:80 [SYN] seq=0 win=64240', 'guide-1', 1000),
    packet('wan', 'out', synWan, '203.0.113.1:51234 → 203.0.113.80:80 [SYN] seq=0 win=64240', 'guide-1', 1000.05),
    packet('wan', 'in', ackWan, '203.0.113.80:80 → 203.0.113.1:51234 [SYN, ACK] seq=0 ack=1 win=65160', 'guide-1', 1000.2),
    packet('lan', 'out', ackLan, '203.0.113.80:80 → 192.168.1.10:51234 [SYN, ACK] seq=0 ack=1 win=65160', 'guide-1', 1000.25),
    packet('lan', 'in', synLan, '192.168.1.10:51234 → 203.0.113.80:80 [SYN] seq=0 win=64240', 'guide-2', 9000),
  ])
    s = applyPacket(s, e, 7);
  const byAddress = hostsByAddress(VIEW);

  it('knows each address of the network by its host, loopback left out', () => {
    assert.equal(byAddress.get('192.168.1.10'), 'laptop');
    assert.equal(byAddress.get('203.0.113.1'), 'router');
    assert.equal(byAddress.get('203.0.113.80'), 'server');
    assert.equal(byAddress.has('127.0.0.1'), false);
  });

  it('draws each sighting between the hosts of its own link: beyond the router is the router', () => {
    const [a, b, c, d] = s.list;
    assert.deepEqual(hostLanes(a, byAddress), { from: 'laptop', to: 'router' });
    assert.deepEqual(hostLanes(b, byAddress), { from: 'router', to: 'server' });
    assert.deepEqual(hostLanes(c, byAddress), { from: 'server', to: 'router' });
    assert.deepEqual(hostLanes(d, byAddress), { from: 'router', to: 'laptop' });
    // Without the kernel's view, or on loopback, it does not guess.
    assert.deepEqual(hostLanes(a, new Map()), { from: null, to: null });
    assert.deepEqual(hostLanes({ ...a, link: 'lo' }, byAddress), { from: null, to: null });
  });

  it('lists only the step\'s own packets, in order, each twinned with its other sighting and the rewrite marked', () => {
    const rows = stepPacketRows(s, 'guide-1', byAddress);
    assert.deepEqual(rows.map((r) => r.packet.n), [1, 2, 3, 4]);
    const [synL, synW, ackW, ackL] = rows;
    assert.equal(synL.crossing?.twin, synW.packet);
    assert.deepEqual(synW.crossing?.rewritten, ['src-address']);
    // The router's copy of the SYN is the one it sent on wan; of the SYN-ACK, the one it sent on lan.
    assert.deepEqual(rows.map((r) => r.afterRouter), [false, true, false, true]);
    assert.deepEqual(synW.parts.filter((p) => p.rewritten).map((p) => p.text), ['203.0.113.1:51234']);
    assert.deepEqual(synL.parts.filter((p) => p.rewritten).map((p) => p.text), ['192.168.1.10:51234']);
    // On the way back the destination is what changed.
    assert.deepEqual(ackL.crossing?.rewritten, ['dst-address']);
    assert.deepEqual(ackL.parts.filter((p) => p.rewritten).map((p) => p.text), ['192.168.1.10:51234']);
    assert.equal(ackW.parts.map((p) => p.text).join(''), ackW.packet.summary);
    assert.match(crossingWords(synW)!, /^after the router: source address rewritten \(packet 1 on lan before\)/);
    assert.match(crossingWords(synL)!, /^the router rewrites its source address \(packet 2 on wan after\)/);
    // Another step's SYN, seconds later, is that step's, and alone.
    const other = stepPacketRows(s, 'guide-2', byAddress);
    assert.deepEqual(other.map((r) => r.packet.n), [5]);
    assert.equal(other[0].crossing, undefined);
    assert.deepEqual(stepPacketRows(s, 'guide-9', byAddress), []);
  });

  it('leaves a summary whole when nothing was rewritten or it does not start with the endpoints', () => {
    const p = s.list[0];
    assert.deepEqual(summaryParts(p, []), [{ text: p.summary, rewritten: false }]);
    assert.deepEqual(summaryParts({ ...p, summary: 'who has 192.168.1.1? tell 192.168.1.10' }, ['src-address']), [{ text: 'who has 192.168.1.1? tell 192.168.1.10', rewritten: false }]);
  });
});
