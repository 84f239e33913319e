/** The TCP details' lines: units a learner reads, and what the kernel's special values mean. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatMicros, tcpInfoLines } from '../../app/_lib/lab/tcp-info.ts';
import type { TcpInfo } from '../../server/protocol/index.ts';

const INFO: TcpInfo = {
  state: 'ESTABLISHED',
  rttUs: 36,
  rttVarUs: 20,
  minRttUs: 13,
  rtoUs: 204_000,
  sndCwnd: 11,
  sndSsthresh: null,
  unacked: 1,
  notSentBytes: 0,
  retransmits: 0,
  totalRetrans: 0,
  sndMss: 35328,
  rcvMss: 536,
  pathMtu: 65535,
  wscale: { snd: 7, rcv: 10 },
  sack: true,
  timestamps: false,
  ecn: false,
  bytesSent: 1000,
  bytesAcked: 1001,
  bytesReceived: 0,
  bytesRetrans: 0,
};
const value = (info: TcpInfo, label: string) => tcpInfoLines(info).find((l) => l.label === label)?.value;

describe('tcpInfoLines', () => {
  test('microseconds below a millisecond, milliseconds above', () => {
    assert.deepEqual([formatMicros(36), formatMicros(1500), formatMicros(204_000)], ['36 µs', '1.5 ms', '204 ms']);
  });

  test('values carry their units; window scaling as the multiplier it means', () => {
    assert.equal(value(INFO, 'Round-trip time'), '36 µs ± 20 µs');
    assert.equal(value(INFO, 'Congestion window'), '11 segments');
    assert.equal(value(INFO, 'Unacknowledged'), '1 segment');
    assert.equal(value(INFO, 'Segment size (MSS)'), 'send 35,328 bytes, receive 536 bytes');
    assert.equal(value(INFO, 'Window scaling'), 'send ×128, receive ×1024');
    assert.deepEqual([value(INFO, 'Selective ACK (SACK)'), value(INFO, 'Timestamps')], ['yes', 'no']);
  });

  test('the kernel\'s "none" values read as words', () => {
    const none = { ...INFO, wscale: null, minRttUs: null, sndSsthresh: null };
    assert.equal(value(none, 'Window scaling'), 'not agreed');
    assert.equal(value(none, 'Fastest round trip'), 'none measured yet');
    assert.equal(value(none, 'Slow-start threshold'), 'not set (no loss yet)');
    assert.equal(value({ ...INFO, sndSsthresh: 7 }, 'Slow-start threshold'), '7 segments');
  });

  test('every line has a hint that names the kernel field or the RFC', () => {
    for (const line of tcpInfoLines(INFO)) assert.match(line.hint, /tcpi_|RFC/, line.label);
  });
});
