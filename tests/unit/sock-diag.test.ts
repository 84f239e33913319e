/**
 * decodeDiagRecord against `struct inet_diag_msg` records captured from this machine's kernel
 * (x86_64, little-endian) with the addon's sockDiagFind, while it held the sockets described above
 * each fixture: the same sockets as procnet.test.ts's /proc text, so the two decoders can be read
 * side by side. Those were captured before the records carried tcp_info, so `records` pads each to
 * a record with none (length 0); the tcp_info fixtures further down are whole records.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeDiagRecord, decodeDiagRecords, DIAG_RECORD_BYTES, INET_DIAG_MSG_BYTES } from '../../server/kernel/sock-diag.ts';
import { decodeTcpInfo, TCP_INFO_MIN_BYTES } from '../../server/kernel/tcp-info.ts';

/** inet_diag_msg records (72 bytes each, as hex) as the addon's records without tcp_info. */
const records = (hex: string) => {
  const msgs = Buffer.from(hex, 'hex');
  const out = Buffer.alloc((msgs.length / INET_DIAG_MSG_BYTES) * DIAG_RECORD_BYTES);
  for (let i = 0; i * INET_DIAG_MSG_BYTES < msgs.length; i++) msgs.copy(out, i * DIAG_RECORD_BYTES, i * INET_DIAG_MSG_BYTES, (i + 1) * INET_DIAG_MSG_BYTES);
  return out;
};

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
    assert.equal(LISTEN_AND_QUEUED.length, 2 * DIAG_RECORD_BYTES);
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
    assert.equal(decodeDiagRecord(Buffer.alloc(DIAG_RECORD_BYTES), 0, 'tcp'), null);
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
    assert.equal(decodeDiagRecords(LISTEN_AND_QUEUED.subarray(0, DIAG_RECORD_BYTES + 10), 'tcp').length, 1);
  });
});

// Whole records (inet_diag_msg, u32 tcp_info length, 256 bytes of tcp_info) from sockDiagFind with
// the INET_DIAG_INFO extension, for both ends of a loopback connection 127.0.0.1:58412 ->
// 127.0.0.1:41977 after the client sent 1,000 bytes (Linux 6.18, x86_64, congestion control bbr).
// `ss -tin` printed at the same moment:
//   client: wscale:10,10 rto:204 rtt:0.036/0.02 mss:35328 pmtu:65535 rcvmss:536 cwnd:11 bytes_sent:1000 bytes_acked:1001 minrtt:0.013
//   server: wscale:10,10 rto:204 rtt:0.012/0.006 mss:32768 pmtu:65535 rcvmss:1000 cwnd:10 bytes_received:1000 minrtt:0.012
const CONNECTION = Buffer.from(
  '02010000e42ca3f97f0000010000000000000000000000007f00000100000000000000000000000000000000d8b6010000000000000000000000000000000000000000002ff7610000010000010000000007aa01e01c030000000000008a000018020000000000000000000000000000000000000000000034000000000000003400000034000000ffff0000d7ff00002400000014000000ffffff7f0b000000cbff00000300000000000000d7ff0000000000007d18497205000000ffffffffffffffffe90300000000000000000000000000000300000002000000000000000d00000000000000010000009d58faa1000000000000000000000000000000000000000000000000000000000200000000000000e803000000000000000000000000000000000000000000000000000000140100000001000000000000000000000000000000000000000000' +
    '02010000a3f9e42c7f0000010000000000000000000000007f00000100000000000000000000000000000000d9b60100000000000000000000000000000000000000000030f7610000010000010000000007aa01e01c0300409c000000800000e8030000000000000000000000000000000000000000000034000000000000003400000034000000ffff00001d1201000c00000006000000ffffff7f0a000000cbff000003000000d0070000cbff000000000000bb74732b12000000ffffffffffffffff0000000000000000e8030000000000000100000003000000000000000c0000000100000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000100001401000000000000000000000000000000000000000000',
  'hex',
);
const INFO_AT = INET_DIAG_MSG_BYTES + 4;

describe('tcp_info in a record', () => {
  test('each end of a connection: the same figures ss -tin printed', () => {
    const [client, server] = decodeDiagRecords(CONNECTION, 'tcp');
    assert.deepEqual(client?.tcpInfo, {
      state: 'ESTABLISHED',
      rttUs: 36,
      rttVarUs: 20,
      minRttUs: 13,
      rtoUs: 204_000,
      sndCwnd: 11,
      sndSsthresh: null,
      unacked: 0,
      notSentBytes: 0,
      retransmits: 0,
      totalRetrans: 0,
      sndMss: 35328,
      rcvMss: 536,
      pathMtu: 65535,
      wscale: { snd: 10, rcv: 10 },
      sack: true,
      timestamps: true,
      ecn: false,
      bytesSent: 1000,
      bytesAcked: 1001,
      bytesReceived: 0,
      bytesRetrans: 0,
    });
    assert.deepEqual(
      [server?.tcpInfo?.rttUs, server?.tcpInfo?.rttVarUs, server?.tcpInfo?.sndMss, server?.tcpInfo?.rcvMss, server?.tcpInfo?.sndCwnd, server?.tcpInfo?.bytesReceived, server?.tcpInfo?.bytesSent],
      [12, 6, 32768, 1000, 10, 1000, 0],
    );
  });

  test('no tcp_info (length 0), a UDP question, or a listener: no tcpInfo field', () => {
    const none = Buffer.from(CONNECTION.subarray(0, DIAG_RECORD_BYTES));
    none.writeUInt32LE(0, INET_DIAG_MSG_BYTES);
    assert.equal('tcpInfo' in (decodeDiagRecord(none, 0, 'tcp') ?? {}), false);
    assert.equal('tcpInfo' in (decodeDiagRecord(CONNECTION, 0, 'udp') ?? {}), false);
    const listener = Buffer.from(CONNECTION.subarray(0, DIAG_RECORD_BYTES));
    listener[1] = 0x0a;
    assert.equal(decodeDiagRecord(listener, 0, 'tcp')?.state, 'LISTEN');
    assert.equal('tcpInfo' in (decodeDiagRecord(listener, 0, 'tcp') ?? {}), false);
  });

  test('a struct shorter than Linux 4.19\'s decodes to null; one cut at exactly that length decodes', () => {
    const info = CONNECTION.subarray(INFO_AT, INFO_AT + 256);
    assert.equal(decodeTcpInfo(info.subarray(0, TCP_INFO_MIN_BYTES - 1), true), null);
    assert.equal(decodeTcpInfo(info.subarray(0, TCP_INFO_MIN_BYTES), true)?.bytesAcked, 1001);
  });

  test('options: no window scaling agreed gives wscale null; SACK and timestamps are their own bits', () => {
    const info = Buffer.from(CONNECTION.subarray(INFO_AT, INFO_AT + 256));
    assert.equal(info[5], 0x07, 'timestamps | sack | wscale');
    info[5] = 0x02;
    const decoded = decodeTcpInfo(info, true);
    assert.deepEqual([decoded?.wscale, decoded?.sack, decoded?.timestamps], [null, true, false]);
  });

  test('big-endian: counters read the other way, and the window-scale nibbles swap with the bit-field order', () => {
    const info = Buffer.from(CONNECTION.subarray(INFO_AT, INFO_AT + 256));
    info[6] = 0x72; // little-endian: snd 2, rcv 7
    assert.deepEqual(decodeTcpInfo(info, true)?.wscale, { snd: 2, rcv: 7 });
    const be = decodeTcpInfo(info, false);
    assert.deepEqual(be?.wscale, { snd: 7, rcv: 2 });
    assert.equal(be?.rtoUs, 0xe01c0300, '204000 (bytes e0 1c 03 00) read big-endian');
  });
});
