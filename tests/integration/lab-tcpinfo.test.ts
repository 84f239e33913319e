/**
 * TCP_INFO in the kernel view (issue 19), over the real WebSocket on real loopback sockets: each TCP
 * row read through sock_diag carries the kernel's tcp_info for that socket. The figures are the
 * kernel's, so the test checks what the kernel must say about a loopback connection (state, an MSS
 * far above Ethernet's 1460 from loopback's 65536-byte MTU, SACK and timestamps on by Linux's
 * defaults, an RTT measured) and that the counters follow the bytes the lab sent; not exact values.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import type { KernelRow } from '../../server/protocol/index.ts';
import { connect, kernelRows, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const skip = loadNativeAddon() ? false : 'the native addon is not built (node scripts/build-addon.mjs)';
const sysctl = (name: string) => readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim();

async function tcpPair(c: Connected, address = '127.0.0.1') {
  const family = address.includes(':') ? 6 : 4;
  const { sock: listener } = await ok(c.client.call('socket', { type: 'tcp', family, actor: 'server' }));
  const { port } = await ok(c.client.call('bind', { sock: listener, address, port: 0 }));
  await ok(c.client.call('listen', { sock: listener }));
  const { sock: client } = await ok(c.client.call('socket', { type: 'tcp', family, actor: 'client' }));
  await ok(c.client.call('connect', { sock: client, address, port }));
  const { sock: accepted } = await ok(c.client.call('accept', { sock: listener }));
  return { listener, client, accepted, port };
}

const own = (rows: KernelRow[], sock: string) => rows.find((r) => r.sock === sock && r.relation === 'own');

describe('tcp_info in the kernel view (netlink reader)', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ engine: 'native', kernelView: 'netlink' });
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('after connect and accept, the client\'s row has the kernel\'s tcp_info for a loopback connection', async () => {
    assert.equal(c.hello.kernelView, 'netlink');
    const { listener, client, accepted } = await tcpPair(c);
    const rows = await kernelRows(c);
    const info = own(rows, client)?.tcpInfo;
    assert.ok(info, `the client row has tcpInfo: ${JSON.stringify(own(rows, client))}`);
    assert.equal(info.state, 'ESTABLISHED');
    // Loopback's MTU is 65536: the MSS is tens of kilobytes, not Ethernet's 1460 or the 536 default.
    assert.ok(info.sndMss > 16_000 && info.sndMss <= 65_483, `sndMss ${info.sndMss}`);
    assert.ok(info.rcvMss >= 536 && info.rcvMss <= 65_483, `rcvMss ${info.rcvMss}`);
    assert.ok(info.pathMtu > 16_000, `pathMtu ${info.pathMtu}`);
    assert.ok(info.rttUs > 0, 'the handshake gave an RTT sample');
    assert.ok(info.rtoUs >= 200_000, 'Linux never sets the RTO below 200 ms');
    assert.ok(info.sndCwnd >= 1);
    assert.equal(info.sack, sysctl('tcp_sack') === '1', 'SACK agreed exactly when this kernel offers it (both ends are this kernel)');
    assert.equal(info.timestamps, sysctl('tcp_timestamps') !== '0');
    assert.equal(info.wscale !== null, sysctl('tcp_window_scaling') === '1');
    assert.deepEqual([info.retransmits, info.totalRetrans, info.bytesRetrans], [0, 0, 0], 'nothing lost on loopback');
    assert.equal(own(rows, accepted)?.tcpInfo?.state, 'ESTABLISHED', 'the accepted socket has its own');
    // A listener's tcp_info holds its queues in fields that mean other things: the row leaves it out.
    assert.equal(own(rows, listener)?.state, 'LISTEN');
    assert.equal(own(rows, listener)?.tcpInfo, undefined);
    for (const sock of [client, accepted, listener]) await ok(c.client.call('close', { sock }));
  });

  it('after sending N bytes, the sender\'s bytesAcked and the receiver\'s bytesReceived move by N', async () => {
    const { listener, client, accepted } = await tcpPair(c);
    const first = await kernelRows(c);
    const sentBefore = own(first, client)!.tcpInfo!;
    const receivedBefore = own(first, accepted)!.tcpInfo!;
    const N = 3000;
    assert.equal((await ok(c.client.call('send', { sock: client, data: 'x'.repeat(N) }))).bytes, N);
    let rows = first;
    await waitUntil(
      async () => {
        rows = await kernelRows(c);
        return own(rows, client)?.tcpInfo?.bytesAcked === sentBefore.bytesAcked + N;
      },
      5000,
      () => `bytesAcked to move by ${N}: ${JSON.stringify(own(rows, client)?.tcpInfo)}`,
    );
    const sender = own(rows, client)!.tcpInfo!;
    const receiver = own(rows, accepted)!.tcpInfo!;
    assert.equal(sender.bytesSent, sentBefore.bytesSent + N);
    assert.equal(receiver.bytesReceived, receivedBefore.bytesReceived + N);
    assert.equal(own(rows, accepted)!.rxQueue, N, 'the bytes wait, unread, in the receiver');
    assert.equal(sender.unacked, 0, 'all acknowledged');
    // Reading them does not change what the kernel counts as received.
    await ok(c.client.call('recv', { sock: accepted, max: N }));
    const after = own(await kernelRows(c), accepted)!.tcpInfo!;
    assert.equal(after.bytesReceived, receiver.bytesReceived);
    for (const sock of [client, accepted, listener]) await ok(c.client.call('close', { sock }));
  });

  it('IPv6 rows carry it too; UDP rows and TIME_WAIT rows have none', async () => {
    const { listener, client, accepted } = await tcpPair(c, '::1');
    const { sock: udp } = await ok(c.client.call('socket', { type: 'udp' }));
    await ok(c.client.call('bind', { sock: udp, address: '127.0.0.1', port: 0 }));
    let rows = await kernelRows(c);
    assert.equal(own(rows, client)?.proto, 'tcp6');
    assert.equal(own(rows, client)?.tcpInfo?.state, 'ESTABLISHED');
    assert.ok(own(rows, client)!.tcpInfo!.sndMss > 16_000);
    assert.equal(own(rows, udp)?.state, 'UNCONN');
    assert.equal(own(rows, udp)?.tcpInfo, undefined);

    // The client closes first, then the server: the client's connection waits in TIME_WAIT, a
    // socket without tcp_info.
    await ok(c.client.call('close', { sock: client }));
    await ok(c.client.call('close', { sock: accepted }));
    await waitUntil(async () => {
      rows = await kernelRows(c);
      return rows.some((r) => r.relation === 'closed' && r.state === 'TIME_WAIT');
    });
    const timeWait = rows.find((r) => r.relation === 'closed' && r.state === 'TIME_WAIT')!;
    assert.equal(timeWait.tcpInfo, undefined);
    for (const sock of [listener, udp]) await ok(c.client.call('close', { sock }));
  });
});

describe('tcp_info of sandbox sockets (their rows come from the host\'s /proc/net)', { skip: skip || needs('unshare', 'ip', 'nft') }, () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ engine: 'native', kernelView: 'netlink' });
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('the session\'s own connected sockets get it from their fd: an Ethernet-sized MSS, unlike loopback', async () => {
    const { sock: web } = await ok(c.client.call('socket', { type: 'tcp', host: 'server', actor: 'server' }));
    await ok(c.client.call('bind', { sock: web, address: '203.0.113.80', port: 80 }));
    await ok(c.client.call('listen', { sock: web }));
    const { sock: laptop } = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop', actor: 'laptop' }));
    await ok(c.client.call('connect', { sock: laptop, address: '203.0.113.80', port: 80 }));
    const { sock: accepted } = await ok(c.client.call('accept', { sock: web }));
    const request = 'GET / HTTP/1.0\r\n\r\n';
    await ok(c.client.call('send', { sock: laptop, data: request }));
    let rows: KernelRow[] = [];
    // The connecting end's acknowledged count includes 1 for its SYN.
    await waitUntil(async () => {
      rows = await kernelRows(c);
      return own(rows, laptop)?.tcpInfo?.bytesAcked === request.length + 1;
    }, 5000, () => JSON.stringify(own(rows, laptop)));
    const info = own(rows, laptop)!.tcpInfo!;
    assert.equal(own(rows, laptop)?.host, 'laptop');
    assert.equal(info.state, 'ESTABLISHED');
    // The sandbox's links are veth pairs with Ethernet's 1500-byte MTU: MSS 1460 less any options.
    assert.equal(info.pathMtu, 1500);
    assert.ok(info.sndMss <= 1460 && info.sndMss >= 1400, `sndMss ${info.sndMss}`);
    assert.ok(info.rttUs > 0);
    assert.equal(own(rows, accepted)?.tcpInfo?.bytesReceived, request.length, 'the server got the request');
    assert.equal(own(rows, web)?.state, 'LISTEN');
    assert.equal(own(rows, web)?.tcpInfo, undefined, 'a listener has none, as through sock_diag');
    for (const sock of [laptop, accepted, web]) await ok(c.client.call('close', { sock }));
  });
});

describe('tcp_info in the kernel view (/proc/net reader)', () => {
  let server: RunningServer;
  let c: Connected;
  before(async () => {
    server = await startLab({ kernelView: 'proc' });
    c = await connect(server);
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('the /proc/net reader gives no tcpInfo: the text has no such columns', async () => {
    assert.equal(c.hello.kernelView, 'proc');
    const { listener, client, accepted } = await tcpPair(c);
    const rows = await kernelRows(c);
    assert.equal(own(rows, client)?.state, 'ESTABLISHED');
    assert.ok(rows.every((r) => r.tcpInfo === undefined));
    for (const sock of [client, accepted, listener]) await ok(c.client.call('close', { sock }));
  });
});
