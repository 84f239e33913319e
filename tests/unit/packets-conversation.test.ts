/**
 * Relative sequence numbers as Wireshark computes them, for the cases a lab conversation can hit:
 * the capture starts mid-stream, a refused connect, a reset with no ACK, a SYN sent again, the same
 * ports reused for a new connection, window scaling agreed by one side only. Each case is checked
 * against the numbers we expect and, where tshark is here, against tshark itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeFrame, PcapngWriter, summarize, TcpTracker } from '../../packets/index.ts';
import { ACK, FIN, PSH, RST, SYN, tcpFrame, type Segment } from '../helpers/frames.ts';
import { needs } from '../helpers/tools.ts';
import { compareWithTshark, tsharkPdml } from '../helpers/tshark.ts';

const CASES: Segment[] = [
  // 0-1: the capture starts mid-stream; the second side's base comes from the first side's ACK.
  { src: 3000, dst: 4000, seq: 5000, ack: 9000, flags: PSH | ACK, data: 10 },
  { src: 4000, dst: 3000, seq: 9005, ack: 5010, flags: ACK },
  // 2-3: a refused connect: SYN, then RST+ACK.
  { src: 3001, dst: 4001, seq: 777, flags: SYN },
  { src: 4001, dst: 3001, seq: 0, ack: 778, flags: RST | ACK },
  // 4: a reset without ACK, first of its stream.
  { src: 3002, dst: 4002, seq: 100, flags: RST },
  // 5-6: the same SYN twice is one stream; a SYN with another ISN is a new stream.
  { src: 3003, dst: 4003, seq: 50, flags: SYN },
  { src: 3003, dst: 4003, seq: 50, flags: SYN },
  { src: 3003, dst: 4003, seq: 70, flags: SYN, wscale: 7 },
  // 8-10: only the client offers window scaling: no scaling applies.
  { src: 4003, dst: 3003, seq: 4_294_967_000, ack: 71, flags: SYN | ACK },
  { src: 3003, dst: 4003, seq: 71, ack: 4_294_967_001, flags: ACK, window: 500 },
  // 10-12: sequence numbers wrap past 2^32.
  { src: 4003, dst: 3003, seq: 4_294_967_001, ack: 71, flags: PSH | ACK, data: 400 },
  { src: 3003, dst: 4003, seq: 71, ack: 105, flags: FIN | ACK },
  { src: 4003, dst: 3003, seq: 105, ack: 72, flags: FIN | ACK },
];

const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-tcp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tracked() {
  const tracker = new TcpTracker();
  return CASES.map((s) => {
    const d = decodeFrame(tcpFrame(s), 'ethernet');
    const rel = tracker.track(d.facts);
    assert.ok(rel);
    return { d, rel };
  });
}

describe('TCP relative numbers', () => {
  it('starts each direction at its ISN, or just before the first number seen', () => {
    const r = tracked().map((x) => x.rel);
    assert.deepEqual([r[0].seq, r[0].ack, r[1].seq, r[1].ack], [1, 1, 6, 11]);
    assert.deepEqual([r[2].seq, r[3].seq, r[3].ack], [0, 1, 1]);
    assert.deepEqual([r[4].seq, r[4].ack], [1, null]);
  });

  it('numbers streams, keeping a repeated SYN and starting anew when the ports are reused', () => {
    const r = tracked().map((x) => x.rel);
    assert.deepEqual(r.slice(0, 8).map((x) => x.stream), [0, 0, 1, 1, 2, 3, 3, 4]);
    assert.equal(r[7].seq, 0);
  });

  it('scales the window only when both SYNs offered a scale', () => {
    const r = tracked().map((x) => x.rel);
    assert.equal(r[9].window, 500);
  });

  it('counts across the 2^32 wrap, and SYN and FIN as one number each', () => {
    const r = tracked().map((x) => x.rel);
    assert.deepEqual([r[8].seq, r[8].nextSeq], [0, 1]);
    assert.deepEqual([r[10].seq, r[10].nextSeq], [1, 401]);
    assert.deepEqual([r[11].ack, r[12].seq, r[12].nextSeq], [401, 401, 402]);
  });

  it('puts relative numbers in the summary and raw ones without a tracker', () => {
    const [x] = tracked();
    assert.equal(summarize(x.d, x.rel), '127.0.0.1:3000 → 127.0.0.1:4000 [PSH, ACK] seq=1 ack=1 win=1000 len=10');
    assert.equal(summarize(x.d), '127.0.0.1:3000 → 127.0.0.1:4000 [PSH, ACK] seq=5000 ack=9000 win=1000 len=10');
  });

  it('forgets the oldest stream beyond its limit', () => {
    const tracker = new TcpTracker(2);
    const seen = [3100, 3101, 3102, 3100].map((port) => tracker.track(decodeFrame(tcpFrame({ src: port, dst: 80, seq: 10, flags: SYN }), 'ethernet').facts)!.stream);
    assert.deepEqual(seen, [0, 1, 2, 3]);
  });

  it('agrees with tshark on every case', { skip: needs('tshark') }, () => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'lo', linkType: 'ethernet', snaplen: 65535 });
    CASES.forEach((s, i) => w.addPacket({ interfaceId: 0, timestampNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n, data: tcpFrame(s) }));
    const file = path.join(dir, 'cases.pcapng');
    writeFileSync(file, w.toBytes());
    const theirs = tsharkPdml(file);
    for (const [i, { d, rel }] of tracked().entries()) compareWithTshark(`case ${i}`, d, theirs[i], rel);
  });
});
