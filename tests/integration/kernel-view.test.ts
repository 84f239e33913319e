/**
 * The kernel view read through netlink sock_diag, checked against /proc/net as the oracle: one real
 * lab session (native engine, real sockets on loopback) is read both ways after each scenario, and
 * the two views must be the same rows, and hold the rows the scenario makes. Then isolation: the
 * sockets of another process, and of another session, never appear in a session's view.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ADDON_PATH, loadNativeAddon } from '../../server/engines/native/addon.ts';
import { createNativeEngine } from '../../server/engines/native/index.ts';
import type { Engine } from '../../server/engines/types.ts';
import { chooseKernelReader, type KernelQuery, type KernelReader } from '../../server/kernel/index.ts';
import { procNetReader } from '../../server/kernel/procnet.ts';
import { LabPolicy } from '../../server/lab/policy.ts';
import { PortPicker } from '../../server/lab/port-picker.ts';
import { LabSession } from '../../server/lab/session.ts';
import type { ArgsOf, KernelRow, Op } from '../../server/protocol/index.ts';
import { labPrograms } from '../../server/programs.ts';
import { fdCount, startLab, waitUntil } from '../helpers/lab.ts';

const T = { timeout: 20_000 };
const PORTS: [number, number] = [41000, 41999];

function nativeEngine(): Engine | null {
  try {
    return createNativeEngine();
  } catch {
    return null;
  }
}
const engine = process.platform === 'linux' ? nativeEngine() : null;
const netlink = engine ? chooseKernelReader('netlink', engine.sockDiag) : null;
const skip = !engine ? 'needs the native addon on Linux (node scripts/build-addon.mjs)' : false;

/** A lab session whose kernel view can be read either way, one read after the other. */
function newSession() {
  let reader: KernelReader = netlink!.reader;
  const asked: KernelQuery[] = [];
  const session = new LabSession({
    engine: engine!,
    policy: new LabPolicy({ ports: PORTS, extraAddresses: [], sitePort: null, limits: { sockets: 32, sendBytes: 65536, commandsPerSecond: 1000, idleSeconds: 600 } }),
    ports: new PortPicker(PORTS),
    readKernel: (query) => {
      asked.push(query);
      return reader.read(query);
    },
    programs: labPrograms({ chatMaxClients: 4 }),
    fdBudget: 1000,
  });
  let id = 0;
  const call = async <O extends Op>(op: O, args: ArgsOf<O>) => {
    const reply = await session.execute({ id: ++id, op, args });
    if (!reply.ok) throw Object.assign(new Error(`${op}: ${reply.error.code} ${reply.error.message}`), { code: reply.error.code });
    return reply.result;
  };
  const views = async () => {
    reader = netlink!.reader;
    const viaNetlink = await session.kernelRows();
    reader = procNetReader;
    const viaProc = await session.kernelRows();
    reader = netlink!.reader;
    return { viaNetlink, viaProc };
  };
  return { session, call, views, asked };
}
type Lab = ReturnType<typeof newSession>;

/** The rows as text, without tcp_info: only sock_diag can read it, so /proc/net has nothing to compare it with. */
const text = (rows: KernelRow[]) => rows.map(({ tcpInfo: _info, ...r }) => JSON.stringify(r)).sort();
const brief = (r: KernelRow) => `${r.relation} ${r.sock ?? r.of} ${r.proto} ${r.state}`;

/**
 * Waits until the session's view holds what the scenario made (`expect`), then checks that netlink
 * and /proc/net give exactly the same rows. Returns them.
 */
async function sameView(lab: Lab, expect: (rows: KernelRow[]) => boolean): Promise<KernelRow[]> {
  let last = await lab.views();
  await waitUntil(
    async () => {
      last = await lab.views();
      return expect(last.viaNetlink) && text(last.viaNetlink).join() === text(last.viaProc).join();
    },
    5000,
    'the scenario\'s rows in both views',
  ).catch(() => undefined);
  assert.deepEqual(text(last.viaNetlink), text(last.viaProc), 'netlink and /proc/net disagree');
  assert.ok(expect(last.viaNetlink), `the view lacks the scenario's rows:\n  ${last.viaNetlink.map(brief).join('\n  ')}`);
  assert.ok(last.viaProc.every((r) => r.tcpInfo === undefined), 'the /proc/net reader has no tcp_info to give');
  for (const r of last.viaNetlink) {
    // tcp_info comes with every TCP socket that is a full socket and not a listener; its state is the row's.
    const full = (r.proto === 'tcp' || r.proto === 'tcp6') && !['LISTEN', 'TIME_WAIT', 'SYN_RECV', 'NEW_SYN_RECV'].includes(r.state);
    assert.equal(r.tcpInfo?.state, full ? r.state : undefined, `tcp_info of ${brief(r)}`);
  }
  return last.viaNetlink;
}

const has = (rows: KernelRow[], want: Partial<KernelRow>) =>
  rows.some((r) => Object.entries(want).every(([k, v]) => JSON.stringify(r[k as keyof KernelRow]) === JSON.stringify(v)));

async function listener(lab: Lab, address = '127.0.0.1', backlog = 5) {
  const { sock } = await lab.call('socket', { type: 'tcp', family: address.includes(':') ? 6 : 4, actor: 'server' });
  const { port } = await lab.call('bind', { sock, address, port: 0 });
  await lab.call('listen', { sock, backlog });
  return { sock: String(sock), port: Number(port) };
}

async function client(lab: Lab, address: string, port: number) {
  const { sock } = await lab.call('socket', { type: 'tcp', family: address.includes(':') ? 6 : 4, actor: 'client' });
  await lab.call('connect', { sock, address, port });
  return String(sock);
}

/** A socket of the test process itself: the "other program" (a learner's nc, say). */
function outsider(address: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: address, port }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('the kernel view through sock_diag, with /proc/net as the oracle', { skip }, () => {
  const sessions: LabSession[] = [];
  const others: { destroy(): void }[] = [];
  let baseline = 0;
  const lab = () => {
    const l = newSession();
    sessions.push(l.session);
    return l;
  };

  before(() => {
    baseline = fdCount();
  });
  after(async () => {
    for (const o of others) o.destroy();
    for (const s of sessions) s.end('ended', 'test over');
    engine?.closeAll();
    await waitUntil(() => fdCount() <= baseline, 5000, 'every fd closed');
  });

  test('the server reads the kernel view through netlink when the native engine runs, and /proc/net when told', T, async () => {
    const auto = await startLab({ engine: 'native' });
    const proc = await startLab({ engine: 'native', kernelView: 'proc' });
    const fallback = await startLab({ engine: 'node' });
    try {
      assert.equal(auto.kernelView.source, 'netlink');
      assert.equal(proc.kernelView.source, 'proc');
      assert.equal(fallback.kernelView.source, 'proc');
      assert.match(fallback.kernelView.fallbackReason ?? '', /native addon/);
    } finally {
      await Promise.all([auto.close(), proc.close(), fallback.close()]);
    }
  });

  test('a listener with an accept queue: its own client and another program\'s, both queued', T, async () => {
    const l = lab();
    const srv = await listener(l);
    const cli = await client(l, '127.0.0.1', srv.port);
    others.push(await outsider('127.0.0.1', srv.port));
    const rows = await sameView(l, (rows) => rows.filter((r) => r.relation === 'accept-queue').length === 2);
    assert.ok(has(rows, { relation: 'own', sock: srv.sock, state: 'LISTEN', rxQueue: 2, txQueue: 0 }));
    assert.ok(has(rows, { relation: 'own', sock: cli, state: 'ESTABLISHED' }));
    // The other program's end of its queued connection: found only by the dump of the listener's port.
    assert.ok(has(rows, { relation: 'outside', of: srv.sock, state: 'ESTABLISHED' }));
  });

  test('an established connection with both ends in the session, bytes waiting each way', T, async () => {
    const l = lab();
    const srv = await listener(l);
    const cli = await client(l, '127.0.0.1', srv.port);
    const { sock: conn } = await l.call('accept', { sock: srv.sock });
    await l.call('send', { sock: cli, data: 'hello' });
    await l.call('send', { sock: conn, data: 'goodbye' });
    const rows = await sameView(l, (rows) => has(rows, { sock: String(conn), rxQueue: 5 }) && has(rows, { sock: cli, rxQueue: 7 }));
    assert.deepEqual(rows.filter((r) => r.relation !== 'own'), []);
  });

  test('TIME_WAIT after close, and TIME_WAIT of a socket whose fd is still open', T, async () => {
    const l = lab();
    const srv = await listener(l);
    const closedFirst = await client(l, '127.0.0.1', srv.port);
    const { sock: a } = await l.call('accept', { sock: srv.sock });
    await l.call('close', { sock: closedFirst });
    await l.call('close', { sock: a });
    const stillOpen = await client(l, '127.0.0.1', srv.port);
    const { sock: b } = await l.call('accept', { sock: srv.sock });
    await l.call('shutdown', { sock: stillOpen, how: 'write' });
    const end = await l.call('recv', { sock: b });
    assert.equal('eof' in end && end.eof, true);
    await l.call('close', { sock: b });
    const rows = await sameView(
      l,
      (rows) => has(rows, { relation: 'closed', of: closedFirst, state: 'TIME_WAIT' }) && has(rows, { relation: 'own', sock: stillOpen, state: 'TIME_WAIT', inode: 0 }),
    );
    assert.equal(rows.filter((r) => r.state === 'TIME_WAIT').length, 2);
  });

  test('a closed connection the kernel no longer holds is not asked about again; one in TIME_WAIT still is', T, async () => {
    const l = lab();
    const srv = await listener(l);
    const reset = await client(l, '127.0.0.1', srv.port);
    const { sock: a } = await l.call('accept', { sock: srv.sock });
    await l.call('send', { sock: reset, data: 'never read' });
    const waiting = await client(l, '127.0.0.1', srv.port);
    const { sock: b } = await l.call('accept', { sock: srv.sock });
    await waitUntil(async () => (await l.session.kernelRows()).some((r) => r.sock === String(a) && r.rxQueue === 10), 3000, 'the bytes waiting');
    // Closing with unread bytes sends RST: neither end is left in the kernel.
    await l.call('close', { sock: String(a) });
    await l.call('close', { sock: waiting });
    await l.call('close', { sock: String(b) });
    const rows = await sameView(l, (rows) => has(rows, { relation: 'closed', of: waiting, state: 'TIME_WAIT' }) && !rows.some((r) => r.relation === 'closed' && r.of !== waiting));
    const timeWait = rows.find((r) => r.relation === 'closed')!;
    await l.session.kernelRows();
    // Three connections were closed; only the one the kernel still holds is asked about.
    assert.deepEqual(
      l.asked.at(-1)!.closed.map((c) => c.local),
      [timeWait.local],
    );
    assert.ok(has(await l.session.kernelRows(), { relation: 'closed', of: waiting, state: 'TIME_WAIT' }), 'the TIME_WAIT is still shown');
  });

  test('CLOSE_WAIT: the peer closed (its FIN counts in rx_queue), with the closer in FIN_WAIT2, own and outside', T, async () => {
    const l = lab();
    const srv = await listener(l);
    const cli = await client(l, '127.0.0.1', srv.port);
    const { sock: conn } = await l.call('accept', { sock: srv.sock });
    await l.call('shutdown', { sock: cli, how: 'write' });
    const nc = await outsider('127.0.0.1', srv.port);
    others.push(nc);
    const { sock: fromNc } = await l.call('accept', { sock: srv.sock });
    nc.end();
    const rows = await sameView(l, (rows) => has(rows, { sock: String(fromNc), state: 'CLOSE_WAIT' }) && has(rows, { relation: 'outside', of: String(fromNc), state: 'FIN_WAIT2' }));
    assert.ok(has(rows, { relation: 'own', sock: String(conn), state: 'CLOSE_WAIT', rxQueue: 1 }));
    assert.ok(has(rows, { relation: 'own', sock: cli, state: 'FIN_WAIT2' }));
  });

  test('UDP: a bound socket holding a datagram, a connected one, and another program\'s connected peer', T, async () => {
    const l = lab();
    const { sock: u1 } = await l.call('socket', { type: 'udp' });
    const { port: p1 } = await l.call('bind', { sock: u1, address: '127.0.0.1', port: 0 });
    const { sock: u2 } = await l.call('socket', { type: 'udp' });
    await l.call('bind', { sock: u2, address: '127.0.0.1', port: 0 });
    await l.call('connect', { sock: u2, address: '127.0.0.1', port: p1 });
    await l.call('send', { sock: u2, data: 'datagram!' });
    // The other program's socket is in the lab's port range: the lab connects only there.
    const peer = await udpInRange();
    others.push({ destroy: () => peer.close() });
    const { sock: u3 } = await l.call('socket', { type: 'udp' });
    const { port: p3 } = await l.call('bind', { sock: u3, address: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => peer.connect(Number(p3), '127.0.0.1', resolve));
    await l.call('connect', { sock: u3, address: '127.0.0.1', port: peer.address().port });
    const rows = await sameView(l, (rows) => rows.some((r) => r.sock === String(u1) && r.rxQueue > 0) && has(rows, { relation: 'outside', of: String(u3) }));
    assert.ok(has(rows, { relation: 'own', sock: String(u1), proto: 'udp', state: 'UNCONN' }));
    assert.ok(has(rows, { relation: 'own', sock: String(u2), proto: 'udp', state: 'ESTABLISHED' }));
  });

  test('IPv6: a listener on ::1 with a queued connection from another program, and an accepted one', T, async () => {
    const l = lab();
    const srv = await listener(l, '::1');
    const cli = await client(l, '::1', srv.port);
    await l.call('accept', { sock: srv.sock });
    others.push(await outsider('::1', srv.port));
    const rows = await sameView(l, (rows) => has(rows, { relation: 'outside', of: srv.sock }));
    assert.ok(rows.every((r) => r.proto === 'tcp6'));
    assert.ok(has(rows, { relation: 'accept-queue', of: srv.sock, local: { address: '::1', port: srv.port } }));
    assert.ok(has(rows, { relation: 'own', sock: cli, state: 'ESTABLISHED' }));
  });

  test('a full accept queue: a client stuck in SYN_SENT with its SYN in tx_queue', T, async () => {
    const l = lab();
    const srv = await listener(l, '127.0.0.1', 0);
    await client(l, '127.0.0.1', srv.port);
    const { sock: stuck } = await l.call('socket', { type: 'tcp', actor: 'client' });
    await l.call('setblocking', { sock: stuck, blocking: false });
    await assert.rejects(l.call('connect', { sock: stuck, address: '127.0.0.1', port: srv.port }), { code: 'EINPROGRESS' });
    const rows = await sameView(l, (rows) => has(rows, { sock: String(stuck), state: 'SYN_SENT' }));
    assert.ok(has(rows, { relation: 'own', sock: String(stuck), state: 'SYN_SENT', txQueue: 1, remote: { address: '127.0.0.1', port: srv.port } }));
  });

  test('another process\'s sockets never appear, even on the same port number on another loopback address', T, async () => {
    const l = lab();
    const srv = await listener(l);
    // The other process listens on 127.0.0.2 at the session's own port, with a connection, a
    // TIME_WAIT and a UDP socket; another program also waits in the session's accept queue, so the
    // view's reader has to dump the port the other process shares.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const net = require('net'), dgram = require('dgram');
        const port = ${srv.port};
        const s = net.createServer((c) => c.on('end', () => c.end())).listen(port, '127.0.0.2', () => {
          const keep = net.connect({ host: '127.0.0.2', port, localAddress: '127.0.0.2' });
          const gone = net.connect({ host: '127.0.0.2', port, localAddress: '127.0.0.2' }, () => gone.end());
          gone.resume();
          const u = dgram.createSocket('udp4');
          u.bind(0, '127.0.0.1', () => { gone.on('close', () => console.log(JSON.stringify({ udp: u.address().port, pid: process.pid }))); });
        });
        process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    others.push({ destroy: () => child.stdin!.end() });
    const info = await new Promise<{ udp: number; pid: number }>((resolve, reject) => {
      child.stdout!.once('data', (d) => resolve(JSON.parse(String(d))));
      child.once('exit', (code) => reject(new Error(`the other process exited with ${code}`)));
    });
    others.push(await outsider('127.0.0.1', srv.port));
    const theirInodes = new Set(
      readdirSync(`/proc/${info.pid}/fd`).flatMap((fd) => {
        const m = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${info.pid}/fd/${fd}`));
        return m ? [Number(m[1])] : [];
      }),
    );
    assert.ok(theirInodes.size >= 4, 'the other process holds its sockets');
    const rows = await sameView(l, (rows) => has(rows, { relation: 'outside', of: srv.sock }));
    for (const r of rows) {
      assert.ok(!theirInodes.has(r.inode), `a row of the other process: ${JSON.stringify(r)}`);
      assert.ok(r.local.address !== '127.0.0.2' && r.remote.address !== '127.0.0.2', `a row of the other process: ${JSON.stringify(r)}`);
      assert.ok(r.local.port !== info.udp && r.remote.port !== info.udp, `a row of the other process: ${JSON.stringify(r)}`);
    }
    assert.deepEqual(rows.map(brief).sort(), [`accept-queue ${srv.sock} tcp ESTABLISHED`, `outside ${srv.sock} tcp ESTABLISHED`, `own ${srv.sock} tcp LISTEN`]);
  });

  test('another session\'s sockets never appear in a session\'s view', T, async () => {
    const mine = lab();
    const theirs = lab();
    const build = async (l: Lab) => {
      const srv = await listener(l);
      const cli = await client(l, '127.0.0.1', srv.port);
      await l.call('accept', { sock: srv.sock });
      const gone = await client(l, '127.0.0.1', srv.port);
      const { sock: goneConn } = await l.call('accept', { sock: srv.sock });
      await l.call('close', { sock: gone });
      await l.call('close', { sock: goneConn });
      await client(l, '127.0.0.1', srv.port); // left in the accept queue
      const { sock: u } = await l.call('socket', { type: 'udp' });
      await l.call('bind', { sock: u, address: '127.0.0.1', port: 0 });
      return { srv, cli };
    };
    await build(mine);
    const other = await build(theirs);
    const inView = (rows: KernelRow[]) => rows.filter((r) => r.state === 'TIME_WAIT').length === 1 && rows.filter((r) => r.relation === 'accept-queue').length === 1;
    const rows = await sameView(mine, inView);
    const theirRows = await sameView(theirs, inView);
    const theirPorts = new Set(theirRows.flatMap((r) => [r.local.port, r.remote.port]).filter((p) => p !== 0));
    assert.ok(theirPorts.has(other.srv.port));
    for (const r of rows) {
      assert.ok(!theirRows.some((t) => t.inode !== 0 && t.inode === r.inode), `a socket of the other session: ${JSON.stringify(r)}`);
      assert.ok(!theirPorts.has(r.local.port) && !theirPorts.has(r.remote.port), `a row of the other session: ${JSON.stringify(r)}`);
    }
    assert.equal(rows.length, theirRows.length);
  });

  test('the sock_diag socket is the server\'s own: the lab cannot name it, and closeAll() closes it', T, () => {
    const probe = { protocol: 'tcp' as const, local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 1 } };
    engine!.sockDiag!.find([], [probe]);
    const open = sockDiagFds();
    assert.equal(open.length, 1, 'one sock_diag socket, opened on first use');
    // Every call that takes an fd refuses it before any system call, as it refuses stdin.
    assert.throws(() => loadNativeAddon()!.close(open[0]!), { code: 'EBADF' });
    assert.throws(() => loadNativeAddon()!.send(open[0]!, Buffer.from('x')), { code: 'EBADF' });
    assert.throws(() => engine!.sockDiag!.find([open[0]!], []), { code: 'EBADF' });
    assert.deepEqual(sockDiagFds(), open);
    engine!.closeAll();
    assert.deepEqual(sockDiagFds(), [], 'closeAll() closed it');
    engine!.sockDiag!.find([], [probe]);
    assert.equal(sockDiagFds().length, 1, 'the next call opens it again');
  });
});

describe('sock_diag in a worker thread', { skip }, () => {
  test('each worker has its own sock_diag socket, which it closes when it ends', T, async () => {
    const before = sockDiagFds().length;
    // The worker makes its own listener and reads it back through its own netlink socket.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
      const addon = require(${JSON.stringify(ADDON_PATH)});
      const fd = addon.socket(4, 'tcp');
      addon.bind(fd, '127.0.0.1', 0);
      addon.listen(fd, 5);
      const record = addon.sockDiagFind([fd], []);
      parentPort.postMessage({ family: record[0], state: record[1], port: record.readUInt16BE(4), bound: addon.getsockname(fd).port });
      parentPort.once('message', () => process.exit(0));`,
      { eval: true },
    );
    const seen = await new Promise<{ family: number; state: number; port: number; bound: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.deepEqual(seen, { family: 2, state: 10, port: seen.bound, bound: seen.bound });
    assert.equal(sockDiagFds().length, before + 1, 'the worker opened its own');
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('done');
    await exited;
    await waitUntil(() => sockDiagFds().length === before, 3000, 'the worker\'s sock_diag socket closed at its teardown');
  });
});

const NETLINK_SOCK_DIAG = '4';

/** This process's fds that are NETLINK_SOCK_DIAG sockets (/proc/net/netlink: protocol, ..., inode). */
function sockDiagFds(): number[] {
  const inodes = new Set(
    readFileSync('/proc/net/netlink', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[1] === NETLINK_SOCK_DIAG)
      .map((f) => f[9]),
  );
  return readdirSync('/proc/self/fd')
    .filter((fd) => inodes.has(/^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/self/fd/${fd}`))?.[1] ?? '-'))
    .map(Number);
}

async function udpInRange(): Promise<dgram.Socket> {
  for (let port = PORTS[1]; port > PORTS[1] - 100; port--) {
    const s = dgram.createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) return s;
    s.close();
  }
  throw new Error('no free UDP port near the top of the lab range');
}

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

