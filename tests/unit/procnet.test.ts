/**
 * parseProcNet against text copied from this machine's /proc/net files (x86_64, little-endian),
 * captured while python3 held the sockets described above each fixture.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProcNet, type RawKernelRow } from '../../server/kernel/procnet.ts';

// A listener on 127.0.0.1:41901 with one connection still in its accept queue (inode 0) and one
// accepted connection holding 5 unread bytes; a listener on 41904; a TIME_WAIT left by an active close.
const TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     ',
  '   2: 0100007F:A3B0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 44079 1 00000000834eacce 100 0 0 10 0                     ',
  '   3: 0100007F:A3AD 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 44070 2 000000009b356dd2 100 0 0 10 0                     ',
  '   5: 0100007F:A3AD 0100007F:BCA0 01 00000000:00000000 00:00000000 00000000     0        0 0 1 00000000946da471 20 0 0 10 -1                         ',
  '   6: 0100007F:9F0E 0100007F:A3AF 06 00000000:00000000 03:00001604 00000000     0        0 0 3 00000000a7a04cad                                      ',
  '  14: 0100007F:A3AD 0100007F:BC94 01 00000000:00000005 00:00000000 00000000     0        0 44073 1 000000003fb63038 20 4 30 10 -1                    ',
].join('\n');

// listen(0) on 41911: the passive side of a half-closed connection (CLOSE_WAIT; the FIN counts in
// rx_queue) and the closer in FIN_WAIT2 (inode 0 once closed); one connection queued, and a further
// client whose SYN the full queue dropped, stuck in SYN_SENT with its SYN in tx_queue.
const TCP_ENDINGS = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     ',
  '   2: 0100007F:A3B7 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 47379 2 00000000bb54e8ec 100 0 0 10 0                     ',
  '  10: 0100007F:A3B7 0100007F:A588 08 00000000:00000001 00:00000000 00000000     0        0 47381 1 00000000ff738af9 20 4 0 10 -1                     ',
  '  16: 0100007F:A588 0100007F:A3B7 05 00000000:00000000 03:00001752 00000000     0        0 0 3 0000000013aaa492                                      ',
  '  18: 0100007F:A598 0100007F:A3B7 02 00000001:00000000 01:00000046 00000000     0        0 47383 2 00000000afe158e2 100 0 0 10 -1                    ',
].join('\n');

// A listener on ::1 with one queued connection, a dual-stack listener on :: and an IPv4 client's
// connection to it, which the kernel keeps as an IPv4-mapped IPv6 address.
const TCP6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000001000000:A3AE 00000000000000000000000000000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 44074 2 000000000b892006 100 0 0 10 0',
  '   1: 00000000000000000000000000000000:A3AF 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 44076 1 00000000ac4be2cb 100 0 0 10 0',
  '   3: 0000000000000000FFFF00000100007F:A3AF 0000000000000000FFFF00000100007F:A2F2 01 00000000:00000000 00:00000000 00000000     0        0 44078 1 000000007955bcee 20 0 0 10 -1',
].join('\n');

// An unconnected UDP socket holding one 9-byte datagram (rx_queue counts kernel memory: 0x340),
// and a connected one that sent it.
const UDP = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ',
  ' 2354: 0100007F:A3B2 00000000:0000 07 00000000:00000340 00:00000000 00000000     0        0 44083 2 00000000af3df0aa 0         ',
  ' 2355: 0100007F:A3B3 0100007F:A3B2 01 00000000:00000000 00:00000000 00000000     0        0 44084 2 000000004699344a 0         ',
].join('\n');

const UDP6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  ' 2356: 00000000000000000000000001000000:A3B4 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 44085 2 000000008bad5642 0',
].join('\n');

const LE = true;

function row(
  proto: RawKernelRow['proto'],
  local: string,
  remote: string,
  state: RawKernelRow['state'],
  rxQueue: number,
  txQueue: number,
  inode: number,
): RawKernelRow {
  const split = (s: string) => {
    const i = s.lastIndexOf(':');
    return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
  };
  return { proto, local: split(local), remote: split(remote), state, rxQueue, txQueue, inode };
}

describe('parseProcNet', () => {
  test('IPv4 TCP: LISTEN with its accept queue, accept-queue and TIME_WAIT rows with inode 0, unread bytes', () => {
    assert.deepEqual(parseProcNet(TCP, 'tcp', LE), [
      row('tcp', '127.0.0.1:41904', '0.0.0.0:0', 'LISTEN', 0, 0, 44079),
      row('tcp', '127.0.0.1:41901', '0.0.0.0:0', 'LISTEN', 1, 0, 44070),
      row('tcp', '127.0.0.1:41901', '127.0.0.1:48288', 'ESTABLISHED', 0, 0, 0),
      row('tcp', '127.0.0.1:40718', '127.0.0.1:41903', 'TIME_WAIT', 0, 0, 0),
      row('tcp', '127.0.0.1:41901', '127.0.0.1:48276', 'ESTABLISHED', 5, 0, 44073),
    ]);
  });

  test('IPv4 TCP: CLOSE_WAIT, FIN_WAIT2 and a SYN_SENT client with its SYN in the send queue', () => {
    assert.deepEqual(parseProcNet(TCP_ENDINGS, 'tcp', LE), [
      row('tcp', '127.0.0.1:41911', '0.0.0.0:0', 'LISTEN', 1, 0, 47379),
      row('tcp', '127.0.0.1:41911', '127.0.0.1:42376', 'CLOSE_WAIT', 1, 0, 47381),
      row('tcp', '127.0.0.1:42376', '127.0.0.1:41911', 'FIN_WAIT2', 0, 0, 0),
      row('tcp', '127.0.0.1:42392', '127.0.0.1:41911', 'SYN_SENT', 0, 1, 47383),
    ]);
  });

  test('IPv6 TCP: ::1, the unspecified ::, and IPv4-mapped addresses written as ::ffff:a.b.c.d', () => {
    assert.deepEqual(parseProcNet(TCP6, 'tcp6', LE), [
      row('tcp6', '::1:41902', ':::0', 'LISTEN', 1, 0, 44074),
      row('tcp6', ':::41903', ':::0', 'LISTEN', 0, 0, 44076),
      row('tcp6', '::ffff:127.0.0.1:41903', '::ffff:127.0.0.1:41714', 'ESTABLISHED', 0, 0, 44078),
    ]);
  });

  test('UDP: unconnected is UNCONN (as ss prints it), connected is ESTABLISHED', () => {
    assert.deepEqual(parseProcNet(UDP, 'udp', LE), [
      row('udp', '127.0.0.1:41906', '0.0.0.0:0', 'UNCONN', 832, 0, 44083),
      row('udp', '127.0.0.1:41907', '127.0.0.1:41906', 'ESTABLISHED', 0, 0, 44084),
    ]);
    assert.deepEqual(parseProcNet(UDP6, 'udp6', LE), [row('udp6', '::1:41908', ':::0', 'UNCONN', 0, 0, 44085)]);
  });

  test('byte order: the same words read on a big-endian machine are not reversed', () => {
    const line = '   0: 7F000001:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1';
    assert.deepEqual(parseProcNet(line, 'tcp', false), [row('tcp', '127.0.0.1:8080', '0.0.0.0:0', 'LISTEN', 0, 0, 99)]);
    // The same text on a little-endian machine means 1.0.0.127.
    assert.equal(parseProcNet(line, 'tcp', true)[0]!.local.address, '1.0.0.127');
  });

  test('the header, blank lines and damaged lines are skipped, not fatal', () => {
    const damaged = [
      TCP.split('\n')[0],
      '',
      '   7: 0100007F:A3B0 00000000:0000 0A 00000000:000000', // cut short
      '   8: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   9: 0100007F:A3B0 00000000:0000 FF 00000000:00000000 00:00000000 00000000     0        0 1 1',
      TCP.split('\n')[2],
    ].join('\n');
    assert.deepEqual(parseProcNet(damaged, 'tcp', LE), [row('tcp', '127.0.0.1:41901', '0.0.0.0:0', 'LISTEN', 1, 0, 44070)]);
  });
});
