/**
 * joinKernelRows: which rows of the kernel's whole table one session is shown, and how each is
 * attributed. Synthetic rows shaped like parseProcNet's output (see procnet.test.ts for real ones).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawKernelRow } from '../../server/kernel/procnet.ts';
import { addOwnTcpInfo, joinKernelRows, type ClosedSocket, type OwnSocket } from '../../server/lab/kernel-view.ts';
import type { KernelRow, TcpInfo } from '../../server/protocol/index.ts';

type Proto = RawKernelRow['proto'];
type State = RawKernelRow['state'];

const ep = (s: string) => {
  const i = s.lastIndexOf(':');
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
};

function row(proto: Proto, local: string, remote: string, state: State, inode: number, rxQueue = 0, txQueue = 0): RawKernelRow {
  return { proto, local: ep(local), remote: ep(remote), state, rxQueue, txQueue, inode };
}

const summary = (rows: ReturnType<typeof joinKernelRows>) =>
  rows.map((r) => `${r.relation} ${r.sock ?? '-'} ${r.of ?? '-'} ${r.state} ${r.local.address}:${r.local.port}>${r.remote.address}:${r.remote.port}`);

// Another program's sockets on the same machine: a listener on a lab port, its connection, a
// TIME_WAIT and an accept-queue entry of its own. None of these may ever appear in our view.
const OTHERS: RawKernelRow[] = [
  row('tcp', '127.0.0.1:41500', '0.0.0.0:0', 'LISTEN', 9001, 1),
  row('tcp', '127.0.0.1:41500', '127.0.0.1:52000', 'ESTABLISHED', 0),
  row('tcp', '127.0.0.1:52000', '127.0.0.1:41500', 'ESTABLISHED', 9002),
  row('tcp', '127.0.0.1:52100', '127.0.0.1:41501', 'TIME_WAIT', 0),
  row('tcp', '127.0.0.1:22', '0.0.0.0:0', 'LISTEN', 9003),
  row('tcp6', '::1:41600', ':::0', 'LISTEN', 9004),
  row('udp', '127.0.0.1:41700', '0.0.0.0:0', 'UNCONN', 9005),
  row('udp', '0.0.0.0:5353', '0.0.0.0:0', 'UNCONN', 9006),
];

describe('own rows', () => {
  test('rows are ours by socket inode, with the handle and relation "own"', () => {
    const raw = [...OTHERS, row('tcp', '127.0.0.1:41000', '0.0.0.0:0', 'LISTEN', 100), row('udp', '127.0.0.1:41001', '0.0.0.0:0', 'UNCONN', 101, 832)];
    const own: OwnSocket[] = [
      { handle: 's1', inode: 100 },
      { handle: 's2', inode: 101 },
    ];
    assert.deepEqual(joinKernelRows(raw, own, []), [
      { ...raw[OTHERS.length], sock: 's1', relation: 'own' },
      { ...raw[OTHERS.length + 1], sock: 's2', relation: 'own' },
    ]);
  });

  test('a socket with no inode yet (null) or with no row matches nothing', () => {
    const own: OwnSocket[] = [
      { handle: 's1', inode: null },
      { handle: 's2', inode: 12345 },
    ];
    assert.deepEqual(joinKernelRows(OTHERS, own, []), []);
  });

  test('isolation: with no sockets of ours, nothing of the kernel table is shown', () => {
    assert.deepEqual(joinKernelRows(OTHERS, [], []), []);
  });
});

describe('accept queue', () => {
  const LISTENER = row('tcp', '127.0.0.1:41000', '0.0.0.0:0', 'LISTEN', 100, 2);

  test('inode-0 ESTABLISHED and SYN_RECV rows on our listener\'s address are its accept queue', () => {
    const raw = [
      LISTENER,
      row('tcp', '127.0.0.1:41000', '127.0.0.1:50001', 'ESTABLISHED', 0),
      row('tcp', '127.0.0.1:41000', '127.0.0.1:50002', 'SYN_RECV', 0),
      ...OTHERS,
    ];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), [
      'own s1 - LISTEN 127.0.0.1:41000>0.0.0.0:0',
      'accept-queue - s1 ESTABLISHED 127.0.0.1:41000>127.0.0.1:50001',
      'accept-queue - s1 SYN_RECV 127.0.0.1:41000>127.0.0.1:50002',
    ]);
  });

  test('a listener on 127.0.0.1 does not claim a queued connection to ANOTHER address on the same port', () => {
    const raw = [
      LISTENER,
      // Another program listens on 127.0.0.2:41000 (legal beside ours) and has a queued connection.
      row('tcp', '127.0.0.2:41000', '0.0.0.0:0', 'LISTEN', 9100, 1),
      row('tcp', '127.0.0.2:41000', '127.0.0.1:50003', 'ESTABLISHED', 0),
    ];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), ['own s1 - LISTEN 127.0.0.1:41000>0.0.0.0:0']);
  });

  test('a listener on ::1 does not claim an IPv4 connection queued on 127.0.0.1 with the same port', () => {
    const raw = [row('tcp6', '::1:41000', ':::0', 'LISTEN', 100), row('tcp', '127.0.0.1:41000', '127.0.0.1:50004', 'ESTABLISHED', 0)];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), ['own s1 - LISTEN ::1:41000>:::0']);
  });

  test('a listener on the unspecified address takes queued connections on any local address of its port', () => {
    const raw = [row('tcp6', ':::41000', ':::0', 'LISTEN', 100), row('tcp6', '::ffff:127.0.0.1:41000', '::ffff:127.0.0.1:50005', 'ESTABLISHED', 0)];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), [
      'own s1 - LISTEN :::41000>:::0',
      'accept-queue - s1 ESTABLISHED ::ffff:127.0.0.1:41000>::ffff:127.0.0.1:50005',
    ]);
  });

  test('a same-port queued row of another listener on another port is not ours', () => {
    const raw = [LISTENER, row('tcp', '127.0.0.1:41002', '127.0.0.1:50006', 'ESTABLISHED', 0)];
    assert.equal(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], []).length, 1);
  });

  test('UDP rows are never accept-queue rows', () => {
    const raw = [LISTENER, row('udp', '127.0.0.1:41000', '127.0.0.1:50007', 'ESTABLISHED', 0)];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), ['own s1 - LISTEN 127.0.0.1:41000>0.0.0.0:0']);
  });
});

describe('TIME_WAIT and sockets we closed', () => {
  const tuple = { tcp: true, local: ep('127.0.0.1:50010'), remote: ep('127.0.0.1:41000') };

  test('an inode-0 TIME_WAIT row matching a closed socket\'s tuple is shown as "closed", of that handle', () => {
    const raw = [...OTHERS, row('tcp', '127.0.0.1:50010', '127.0.0.1:41000', 'TIME_WAIT', 0)];
    const closed: ClosedSocket[] = [{ handle: 's2', ...tuple }];
    assert.deepEqual(joinKernelRows(raw, [], closed), [{ ...raw[raw.length - 1], relation: 'closed', of: 's2' }]);
  });

  test('the closed tuple is compared in canonical form (::ffff:127.0.0.1 is 127.0.0.1)', () => {
    const raw = [row('tcp6', '::ffff:127.0.0.1:50010', '::ffff:127.0.0.1:41000', 'TIME_WAIT', 0)];
    assert.equal(joinKernelRows(raw, [], [{ handle: 's2', ...tuple }])[0]?.relation, 'closed');
  });

  test('a TIME_WAIT with the reversed tuple, or another port, is not the closed socket\'s', () => {
    const raw = [row('tcp', '127.0.0.1:41000', '127.0.0.1:50010', 'TIME_WAIT', 0), row('tcp', '127.0.0.1:50011', '127.0.0.1:41000', 'TIME_WAIT', 0)];
    assert.deepEqual(joinKernelRows(raw, [], [{ handle: 's2', ...tuple }]), []);
  });

  test('a TCP closed tuple does not claim a UDP row with the same addresses', () => {
    const raw = [row('udp', '127.0.0.1:50010', '127.0.0.1:41000', 'ESTABLISHED', 0)];
    assert.deepEqual(joinKernelRows(raw, [], [{ handle: 's2', ...tuple }]), []);
  });

  test('TIME_WAIT of a socket still open (its fd not closed yet) is that handle\'s own row', () => {
    const raw = [row('tcp', '127.0.0.1:50010', '127.0.0.1:41000', 'TIME_WAIT', 0), ...OTHERS];
    const own: OwnSocket[] = [{ handle: 's2', inode: 555, tuple }];
    assert.deepEqual(joinKernelRows(raw, own, []), [{ ...raw[0], sock: 's2', relation: 'own' }]);
  });
});

describe('outside rows (another program\'s end of a connection to ours)', () => {
  test('the reverse 4-tuple of one of our connected rows is "outside", of our handle', () => {
    const raw = [
      ...OTHERS,
      row('tcp', '127.0.0.1:41000', '127.0.0.1:50020', 'ESTABLISHED', 200, 5),
      row('tcp', '127.0.0.1:50020', '127.0.0.1:41000', 'ESTABLISHED', 7777), // e.g. a learner's nc
      row('tcp', '127.0.0.1:50021', '127.0.0.1:41000', 'ESTABLISHED', 7778), // not reversed: unrelated
    ];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's3', inode: 200 }], [])), [
      'own s3 - ESTABLISHED 127.0.0.1:41000>127.0.0.1:50020',
      'outside - s3 ESTABLISHED 127.0.0.1:50020>127.0.0.1:41000',
    ]);
  });

  test('when both ends are ours, each is "own" and neither is duplicated as "outside"', () => {
    const raw = [row('tcp', '127.0.0.1:41000', '127.0.0.1:50022', 'ESTABLISHED', 300), row('tcp', '127.0.0.1:50022', '127.0.0.1:41000', 'ESTABLISHED', 301)];
    const own: OwnSocket[] = [
      { handle: 's3', inode: 300 },
      { handle: 's2', inode: 301 },
    ];
    assert.deepEqual(summary(joinKernelRows(raw, own, [])), [
      'own s2 - ESTABLISHED 127.0.0.1:50022>127.0.0.1:41000',
      'own s3 - ESTABLISHED 127.0.0.1:41000>127.0.0.1:50022',
    ]);
  });

  test('the outside client of a connection still in our accept queue is shown when it comes after the queued row', () => {
    const raw = [
      row('tcp', '127.0.0.1:41000', '0.0.0.0:0', 'LISTEN', 100, 1),
      row('tcp', '127.0.0.1:41000', '127.0.0.1:50030', 'ESTABLISHED', 0),
      row('tcp', '127.0.0.1:50030', '127.0.0.1:41000', 'ESTABLISHED', 8888),
    ];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), [
      'own s1 - LISTEN 127.0.0.1:41000>0.0.0.0:0',
      'accept-queue - s1 ESTABLISHED 127.0.0.1:41000>127.0.0.1:50030',
      'outside - s1 ESTABLISHED 127.0.0.1:50030>127.0.0.1:41000',
    ]);
  });

  test(
    'the outside client of a queued connection is shown whatever the order of rows in the table',
    {
    },
    () => {
      const raw = [
        row('tcp', '127.0.0.1:41000', '0.0.0.0:0', 'LISTEN', 100, 1),
        row('tcp', '127.0.0.1:50030', '127.0.0.1:41000', 'ESTABLISHED', 8888),
        row('tcp', '127.0.0.1:41000', '127.0.0.1:50030', 'ESTABLISHED', 0),
      ];
      assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's1', inode: 100 }], [])), [
        'own s1 - LISTEN 127.0.0.1:41000>0.0.0.0:0',
        'accept-queue - s1 ESTABLISHED 127.0.0.1:41000>127.0.0.1:50030',
        'outside - s1 ESTABLISHED 127.0.0.1:50030>127.0.0.1:41000',
      ]);
    },
  );

  test('a UDP row is not the outside end of a TCP connection with the same addresses', () => {
    const raw = [row('tcp', '127.0.0.1:41000', '127.0.0.1:50040', 'ESTABLISHED', 200), row('udp', '127.0.0.1:50040', '127.0.0.1:41000', 'ESTABLISHED', 9999)];
    assert.equal(joinKernelRows(raw, [{ handle: 's3', inode: 200 }], []).length, 1);
  });

  test('a connected UDP socket of ours shows the other program\'s connected UDP peer', () => {
    const raw = [row('udp', '127.0.0.1:41000', '127.0.0.1:50050', 'ESTABLISHED', 200), row('udp', '127.0.0.1:50050', '127.0.0.1:41000', 'ESTABLISHED', 9999)];
    assert.deepEqual(summary(joinKernelRows(raw, [{ handle: 's4', inode: 200 }], [])), [
      'own s4 - ESTABLISHED 127.0.0.1:41000>127.0.0.1:50050',
      'outside - s4 ESTABLISHED 127.0.0.1:50050>127.0.0.1:41000',
    ]);
  });
});

describe('ordering and isolation together', () => {
  test('rows are grouped by handle in numeric order (s2 before s10), each handle\'s own rows first', () => {
    const raw = [
      row('tcp', '127.0.0.1:41010', '127.0.0.1:50060', 'ESTABLISHED', 1010),
      row('tcp', '127.0.0.1:50061', '127.0.0.1:41002', 'TIME_WAIT', 0),
      row('tcp', '127.0.0.1:41002', '127.0.0.1:50062', 'ESTABLISHED', 0),
      ...OTHERS,
      row('tcp', '127.0.0.1:41002', '0.0.0.0:0', 'LISTEN', 1002, 1),
      row('tcp', '127.0.0.1:41001', '0.0.0.0:0', 'LISTEN', 1001),
    ];
    const own: OwnSocket[] = [
      { handle: 's10', inode: 1010 },
      { handle: 's2', inode: 1002 },
      { handle: 's1', inode: 1001 },
    ];
    const closed: ClosedSocket[] = [{ handle: 's3', tcp: true, local: ep('127.0.0.1:50061'), remote: ep('127.0.0.1:41002') }];
    assert.deepEqual(summary(joinKernelRows(raw, own, closed)), [
      'own s1 - LISTEN 127.0.0.1:41001>0.0.0.0:0',
      'own s2 - LISTEN 127.0.0.1:41002>0.0.0.0:0',
      'accept-queue - s2 ESTABLISHED 127.0.0.1:41002>127.0.0.1:50062',
      'closed - s3 TIME_WAIT 127.0.0.1:50061>127.0.0.1:41002',
      'own s10 - ESTABLISHED 127.0.0.1:41010>127.0.0.1:50060',
    ]);
  });

  test('a full table of another program\'s sockets adds nothing to ours', () => {
    const mine = [row('tcp', '127.0.0.1:41000', '0.0.0.0:0', 'LISTEN', 100)];
    const own: OwnSocket[] = [{ handle: 's1', inode: 100 }];
    assert.deepEqual(joinKernelRows([...OTHERS, ...mine], own, []), joinKernelRows(mine, own, []));
    for (const r of joinKernelRows([...OTHERS, ...mine], own, [])) {
      assert.ok(![9001, 9002, 9003, 9004, 9005, 9006].includes(r.inode), `row of another program: ${JSON.stringify(r)}`);
    }
  });
});

describe('addOwnTcpInfo (rows read without tcp_info: a sandbox host\'s /proc/net)', () => {
  const info: TcpInfo = {
    state: 'ESTABLISHED', rttUs: 90, rttVarUs: 40, minRttUs: 80, rtoUs: 204_000, sndCwnd: 10, sndSsthresh: null, unacked: 0, notSentBytes: 0,
    retransmits: 0, totalRetrans: 0, sndMss: 1448, rcvMss: 536, pathMtu: 1500, wscale: { snd: 7, rcv: 7 }, sack: true, timestamps: true, ecn: false,
    bytesSent: 0, bytesAcked: 1, bytesReceived: 0, bytesRetrans: 0,
  };
  const asked: number[] = [];
  const read = (fd: number): TcpInfo | null => {
    asked.push(fd);
    return fd === 99 ? null : { ...info };
  };
  const fds: Record<string, number> = { s1: 10, s2: 11, s3: 12, s4: 13, s5: 99 };
  const fdOf = (h: string) => fds[h] ?? null;
  const own = (r: RawKernelRow, sock: string): KernelRow => ({ ...r, sock, relation: 'own' });

  test('only the session\'s own connected TCP sockets with an fd get it; the rest stay as they were', () => {
    const rows: KernelRow[] = [
      own(row('tcp', '192.168.1.10:40000', '203.0.113.80:80', 'ESTABLISHED', 501), 's1'),
      own(row('tcp', '203.0.113.80:80', '0.0.0.0:0', 'LISTEN', 502), 's2'),
      own(row('tcp', '192.168.1.10:40001', '203.0.113.80:80', 'TIME_WAIT', 0), 's3'),
      own(row('udp', '192.168.1.10:5000', '0.0.0.0:0', 'UNCONN', 503), 's4'),
      own(row('tcp', '192.168.1.10:40002', '203.0.113.80:80', 'ESTABLISHED', 504), 's5'),
      { ...row('tcp', '203.0.113.80:80', '203.0.113.1:40000', 'ESTABLISHED', 0), relation: 'accept-queue', of: 's2' },
    ];
    const out = addOwnTcpInfo(rows, fdOf, read);
    assert.deepEqual(out.map((r) => r.tcpInfo?.sndMss ?? null), [1448, null, null, null, null, null]);
    assert.deepEqual(asked, [10, 99], 'asked only for the connected sockets (one of which the kernel no longer answers)');
    assert.deepEqual(out.slice(1), rows.slice(1));
  });
});

describe('everyProgram (a sandbox host the learner opened a lab shell on)', () => {
  test('every other program\'s row is shown after ours, as outside without of; the explained rows keep their relation', () => {
    const raw = [
      ...OTHERS,
      row('tcp', '127.0.0.1:41000', '0.0.0.0:0', 'LISTEN', 100),
      row('tcp', '127.0.0.1:41000', '127.0.0.1:50070', 'ESTABLISHED', 0),
    ];
    const own: OwnSocket[] = [{ handle: 's1', inode: 100 }];
    const rows = joinKernelRows(raw, own, [], { everyProgram: true });
    assert.deepEqual(summary(rows).slice(0, 2), [
      'own s1 - LISTEN 127.0.0.1:41000>0.0.0.0:0',
      'accept-queue - s1 ESTABLISHED 127.0.0.1:41000>127.0.0.1:50070',
    ]);
    const others = rows.slice(2);
    assert.deepEqual(others.map((r) => r.inode).sort(), OTHERS.map((r) => r.inode).sort());
    for (const r of others) {
      assert.equal(r.relation, 'outside');
      assert.equal(r.of, undefined);
      assert.equal(r.sock, undefined);
    }
    // Without the option, the same table shows none of them.
    assert.equal(joinKernelRows(raw, own, []).length, 2);
  });
});
