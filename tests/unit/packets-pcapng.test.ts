/**
 * The pcapng writer: block layout by the specification, read back by our test reader, and opened
 * by tshark (the reader CI checks), which must see the same frames, interfaces, timestamps,
 * lengths, comments and directions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PcapngWriter } from '../../packets/index.ts';
import { readPcapng, readPcapngFile } from '../helpers/pcapng.ts';
import { needs } from '../helpers/tools.ts';
import { tsharkFields } from '../helpers/tshark.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'packets');
const frames = readPcapngFile(path.join(FIXTURES, 'loopback.pcapng')).slice(0, 6);
const sll2 = readPcapngFile(path.join(FIXTURES, 'any-sll2.pcapng')).slice(0, 3);
const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-pcapng-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A two-link capture: loopback frames on `lo` (ns), cooked frames on `any` (µs), one cut by a snap length of 60. */
function sample() {
  const w = new PcapngWriter({ comment: 'a test capture' });
  const lo = w.addInterface({ name: 'lo', linkType: 'ethernet', snaplen: 65535, description: 'loopback' });
  const any = w.addInterface({ name: 'any', linkType: 'linux-sll2', snaplen: 60, resolution: 'us' });
  const t0 = 1_765_000_000_123_456_789n;
  frames.forEach((f, i) => w.addPacket({ interfaceId: lo, timestampNs: t0 + BigInt(i) * 1_001n, data: f.data, direction: i % 2 ? 'in' : 'out', comment: i === 0 ? 'step 3: connect()' : undefined }));
  sll2.forEach((f, i) => w.addPacket({ interfaceId: any, timestampNs: t0 + 10_000_000n + BigInt(i) * 1_000n, data: f.data }));
  return { bytes: w.toBytes(), writer: w, t0 };
}

describe('pcapng writer', () => {
  it('writes blocks as the specification lays them out', () => {
    const { bytes, writer } = sample();
    assert.equal(bytes.length, writer.byteLength);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const types: number[] = [];
    for (let at = 0; at < bytes.length; ) {
      const type = view.getUint32(at, true);
      const length = view.getUint32(at + 4, true);
      assert.equal(length % 4, 0, 'blocks are 32-bit aligned');
      assert.equal(view.getUint32(at + length - 4, true), length, 'the length is repeated at the end');
      types.push(type);
      at += length;
    }
    assert.deepEqual(types, [0x0a0d0d0a, 1, 1, ...Array(frames.length + sll2.length).fill(6)]);
    assert.equal(view.getUint32(8, true), 0x1a2b3c4d, 'byte-order magic');
    assert.equal(view.getBigInt64(16, true), -1n, 'section length unknown');
  });

  it('reads back the same frames, interfaces and timestamps', () => {
    const { bytes, t0 } = sample();
    const back = readPcapng(bytes);
    assert.equal(back.length, frames.length + sll2.length);
    assert.deepEqual(back.slice(0, frames.length).map((f) => f.data), frames.map((f) => f.data));
    assert.deepEqual(back.map((f) => f.interfaceName), [...frames.map(() => 'lo'), ...sll2.map(() => 'any')]);
    assert.equal(back[1].timestampNs, t0 + 1_001n, 'nanosecond resolution keeps every digit');
    assert.equal(back[frames.length].timestampNs, ((t0 + 10_000_000n) / 1000n) * 1000n, 'microsecond resolution drops the nanoseconds');
  });

  it('honours the snap length: it keeps the first bytes and the original length', () => {
    const { bytes } = sample();
    const cooked = readPcapng(bytes).slice(frames.length);
    for (const [i, f] of cooked.entries()) {
      assert.deepEqual(f.data, sll2[i].data.subarray(0, Math.min(60, sll2[i].data.length)));
      assert.equal(f.originalLength, sll2[i].data.length);
    }
  });

  it('refuses a packet for an interface it does not have, and a bad snap length', () => {
    const w = new PcapngWriter();
    assert.throws(() => w.addPacket({ interfaceId: 0, timestampNs: 0n, data: new Uint8Array(1) }), RangeError);
    assert.throws(() => w.addInterface({ name: 'lo', linkType: 'ethernet', snaplen: 0 }), RangeError);
  });

  it('opens in tshark with the same frames, links, times, lengths, comments and directions', { skip: needs('tshark') }, () => {
    const { bytes, t0 } = sample();
    const file = path.join(dir, 'sample.pcapng');
    writeFileSync(file, bytes);
    const rows = tsharkFields(file, ['frame.interface_name', 'frame.encap_type', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.comment', 'frame.packet_flags_direction', 'tcp.srcport']);
    assert.equal(rows.length, frames.length + sll2.length);
    assert.deepEqual(rows[0].slice(0, 2), ['lo', '1']);
    const seconds = t0 / 1_000_000_000n;
    assert.equal(rows[1][2], `${seconds}.${String((t0 + 1_001n) % 1_000_000_000n).padStart(9, '0')}`);
    assert.equal(rows[0][5], 'step 3: connect()');
    assert.deepEqual(rows.slice(0, 2).map((r) => r[6]), ['0x00000002', '0x00000001']);
    assert.equal(rows[0][7], '41110');
    const cooked = rows.slice(frames.length);
    assert.deepEqual(cooked.map((r) => [r[0], r[1]]), sll2.map(() => ['any', '210']));
    for (const [i, r] of cooked.entries()) assert.deepEqual([r[3], r[4]], [String(sll2[i].data.length), String(Math.min(60, sll2[i].data.length))]);
  });
});
