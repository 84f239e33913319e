/**
 * decodeDiagRecord against `struct inet_diag_msg` records captured from this machine's kernel
 * (x86_64, little-endian) with the addon's sockDiagFind, while it held the sockets described above
 * each fixture: the same sockets as procnet.test.ts's /proc text, so the two decoders can be read
 * side by side.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeDiagRecord, decodeDiagRecords, INET_DIAG_MSG_BYTES } from '../../server/kernel/sock-diag.ts';

const records = (hex: string) => Buffer.from(hex, 'hex');

// A listener on 127.0.0.1:41901 (backlog 5) with one connection in its accept queue, then that
// queued connection (inode 0).
const LISTEN_AND_QUEUED = records(
  '020a0000a3ad00007f000001000000000000000000000000000000000000000000000000000000000000000049630000000000000000000002000000050000000000000029a20700' +
    '02010000a3ad9fc87f0000010000000000000000000000007f000001000000000000000000000000000000004a630000000000000000000000000000000000000000000000000000',
);
// A dual-stack listener on :: accepted an IPv4 client: the kernel keeps it as an IPv4-mapped IPv6 address.
const MAPPED = records('0a010000a3afb5f400000000000000000000ffff7f00000100000000000000000000ffff7f000001000000004b63000000000000000000000000000000000000000000002fa20700');
// An unconnected UDP socket holding one 9-byte datagram (0x340 bytes of kernel memory), and the
// connected one that sent it.
const UDP = records(
  '02070000a3b200007f00000100000000000000000000000000000000000000000000000000000000000000004c630000000000000000000040030000000000000000000030a20700' +
    '02010000a3b3a3b27f0000010000000000000000000000007f000001000000000000000000000000000000004d630000000000000000000000000000000000000000000031a20700',
);
// The client that closed first, in TIME_WAIT (no inode; `expires` counts down its 60 s).
const TIME_WAIT = records('020603009fc8a3ad7f0000010000000000000000000000007f000001000000000000000000000000000000004e63000000000000fce9000000000000000000000000000000000000');

describe('decodeDiagRecord', () => {
  test('a listener: rx_queue is its accept queue, and tx_queue 0 as /proc/net shows it (sock_diag puts the backlog limit there)', () => {
    assert.equal(LISTEN_AND_QUEUED.length, 2 * INET_DIAG_MSG_BYTES);
    assert.deepEqual(decodeDiagRecords(LISTEN_AND_QUEUED, 'tcp'), [
      { proto: 'tcp', local: { address: '127.0.0.1', port: 41901 }, remote: { address: '0.0.0.0', port: 0 }, state: 'LISTEN', rxQueue: 2, txQueue: 0, inode: 500265, cookie: 0x6349n },
      {
        proto: 'tcp',
        local: { address: '127.0.0.1', port: 41901 },
        remote: { address: '127.0.0.1', port: 40904 },
        state: 'ESTABLISHED',
        rxQueue: 0,
        txQueue: 0,
        inode: 0,
        cookie: 0x634an,
      },
    ]);
  });

  test('IPv6 records are tcp6, and IPv4-mapped addresses are written ::ffff:a.b.c.d', () => {
    const row = decodeDiagRecord(MAPPED, 0, 'tcp');
    assert.equal(row?.proto, 'tcp6');
    assert.deepEqual(row?.local, { address: '::ffff:127.0.0.1', port: 41903 });
    assert.deepEqual(row?.remote, { address: '::ffff:127.0.0.1', port: 46580 });
  });

  test('UDP: unconnected is UNCONN, rx_queue is kernel memory, and the protocol comes from the question', () => {
    const [bound, connected] = decodeDiagRecords(UDP, ['udp', 'udp']);
    assert.deepEqual([bound?.state, bound?.rxQueue, bound?.local.port], ['UNCONN', 832, 41906]);
    assert.deepEqual([connected?.state, connected?.remote], ['ESTABLISHED', { address: '127.0.0.1', port: 41906 }]);
    // The same bytes asked about as TCP would be a CLOSE socket, not UNCONN.
    assert.equal(decodeDiagRecord(UDP, 0, 'tcp')?.state, 'CLOSE');
  });

  test('TIME_WAIT has no inode', () => {
    assert.deepEqual(decodeDiagRecord(TIME_WAIT, 0, 'tcp'), {
      proto: 'tcp',
      local: { address: '127.0.0.1', port: 40904 },
      remote: { address: '127.0.0.1', port: 41901 },
      state: 'TIME_WAIT',
      rxQueue: 0,
      txQueue: 0,
      inode: 0,
      cookie: 0x634en,
    });
  });

  test('an all-zero record (the kernel has no such socket), an unknown family or state, decode to null', () => {
    assert.equal(decodeDiagRecord(Buffer.alloc(INET_DIAG_MSG_BYTES), 0, 'tcp'), null);
    const odd = Buffer.from(TIME_WAIT);
    odd[0] = 1; // AF_UNIX
    assert.equal(decodeDiagRecord(odd, 0, 'tcp'), null);
    const unknownState = Buffer.from(TIME_WAIT);
    unknownState[1] = 0x30;
    assert.equal(decodeDiagRecord(unknownState, 0, 'tcp'), null);
  });

  test('ports and addresses are in network order; the counters and inode in the host\'s (here read as big-endian)', () => {
    const row = decodeDiagRecord(LISTEN_AND_QUEUED, 0, 'tcp', false);
    assert.equal(row?.local.port, 41901);
    assert.equal(row?.rxQueue, 0x02000000);
    assert.equal(row?.inode, 0x29a20700);
  });

  test('a trailing partial record is not decoded', () => {
    assert.equal(decodeDiagRecords(LISTEN_AND_QUEUED.subarray(0, INET_DIAG_MSG_BYTES + 10), 'tcp').length, 1);
  });
});
