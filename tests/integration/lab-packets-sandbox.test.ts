/**
 * Packets on the sandbox network (issue 17): the router's `lan` and `wan` links captured from
 * packet sockets the sandbox helper makes inside the router's namespace (no privilege needed) and
 * passes to the server. A connect from laptop to server is SYN, SYN-ACK, ACK on both links, the
 * LAN copy from 192.168.1.10 and the WAN copy from 203.0.113.1 (NAT), each caused by the connect;
 * a refused connect is SYN then RST; closing both ends is FIN/ACK on both links; the pcap file
 * has one interface per link, and tshark reads the rewritten source on the WAN side.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { ClientEvent } from '../../server/protocol/client.ts';
import type { PacketEvent } from '../../server/protocol/index.ts';
import { connect, fdCount, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';
import { tsharkFields } from '../helpers/tshark.ts';

const T = { timeout: 30_000 };
const skip = needs('unshare', 'ip', 'nft');

const isPacket = (e: ClientEvent): e is PacketEvent => e.event === 'packet';
const flagsOf = (summary: string) => /\[([A-Z, ]+)\]/.exec(summary)?.[1] ?? '';

describe('packets on the sandbox network', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  const packets = () => c.events.filter(isPacket);
  const tcp = (cause: string, link: 'lan' | 'wan') => packets().filter((p) => p.cause === cause && p.link === link && /\[/.test(p.summary));

  before(async () => {
    server = await startLab();
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  it('capture starts on lan and wan (the router side)', T, async () => {
    assert.ok(c.hello.capture?.links.includes('lan'));
    const { capture } = await ok(c.client.call('capture', { action: 'start' }));
    assert.equal(capture.state, 'on');
    assert.ok(capture.links.includes('lan') && capture.links.includes('wan'), capture.links.join(','));
  });

  it('connect laptop → server:80: SYN, SYN-ACK, ACK on lan from 192.168.1.10 and on wan from 203.0.113.1, caused by the connect', T, async () => {
    const web = await ok(c.client.call('socket', { type: 'tcp', host: 'server', actor: 'server' }));
    await ok(c.client.call('bind', { sock: web.sock, address: '203.0.113.80', port: 80 }));
    await ok(c.client.call('listen', { sock: web.sock }));
    const laptop = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop', actor: 'laptop' }));
    assert.ok((await c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 80 }, 'sbx-connect')).ok);
    await waitUntil(() => tcp('sbx-connect', 'lan').length >= 3 && tcp('sbx-connect', 'wan').length >= 3, 3000, 'the handshake on both links');
    for (const [link, source] of [
      ['lan', '192.168.1.10'],
      ['wan', '203.0.113.1'],
    ] as const) {
      const got = tcp('sbx-connect', link);
      assert.deepEqual(
        got.map((p) => flagsOf(p.summary)),
        ['SYN', 'SYN, ACK', 'ACK'],
        `${link}: ${got.map((p) => p.summary).join(' | ')}`,
      );
      assert.match(got[0]!.summary, new RegExp(`^${source.replaceAll('.', '\\.')}:\\d+ → 203\\.0\\.113\\.80:80 \\[SYN\\]`));
      assert.ok(got.every((p) => p.host === 'router'));
    }
    const acc = await ok(c.client.call('accept', { sock: web.sock }));
    // Close both ends: FIN and ACK each way, on both links, caused by the closes.
    assert.ok((await c.client.call('close', { sock: laptop.sock }, 'sbx-close-laptop')).ok);
    assert.ok((await c.client.call('close', { sock: acc.sock }, 'sbx-close-server')).ok);
    await waitUntil(() => tcp('sbx-close-server', 'wan').some((p) => /FIN/.test(flagsOf(p.summary))) && tcp('sbx-close-server', 'lan').length >= 2, 3000, 'both FINs');
    for (const link of ['lan', 'wan'] as const) {
      const closing = [...tcp('sbx-close-laptop', link), ...tcp('sbx-close-server', link)].map((p) => flagsOf(p.summary));
      assert.equal(closing.filter((f) => f === 'FIN, ACK').length, 2, `${link}: ${closing.join(' | ')}`);
      assert.ok(closing.includes('ACK'), `${link}: the last ACK`);
    }
    await ok(c.client.call('close', { sock: web.sock }));
  });

  it('a refused connect (nothing on server:81): SYN then RST, caused by the connect', T, async () => {
    const laptop = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop' }));
    const r = await c.client.call('connect', { sock: laptop.sock, address: '203.0.113.80', port: 81 }, 'sbx-refused');
    assert.equal(r.ok ? 'ok' : r.error.code, 'ECONNREFUSED');
    await waitUntil(() => tcp('sbx-refused', 'lan').length >= 2, 3000, 'SYN and RST');
    for (const link of ['lan', 'wan'] as const) {
      assert.deepEqual(
        tcp('sbx-refused', link).map((p) => flagsOf(p.summary)),
        ['SYN', 'RST, ACK'],
        link,
      );
    }
    await ok(c.client.call('close', { sock: laptop.sock }));
  });

  it('pcap: one interface per link; tshark reads the LAN source and the rewritten WAN source (NAT)', T, async (t) => {
    const tshark = needs('tshark');
    if (tshark) return t.skip(tshark);
    const r = await ok(c.client.call('pcap', {}));
    const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-pcap-'));
    try {
      const file = path.join(dir, r.name);
      writeFileSync(file, Buffer.from(r.file, 'base64'));
      const rows = tsharkFields(file, ['frame.interface_name', 'ip.src', 'ip.dst', 'tcp.dstport', 'tcp.flags.str']);
      assert.equal(rows.length, r.packets);
      assert.deepEqual([...new Set(rows.map((row) => row[0]))].sort(), ['lan', 'wan']);
      const syns = rows.filter((row) => row[3] === '80' && /S/.test(row[4] ?? '') && !/A/.test((row[4] ?? '').replace(/[^A-Z]/g, '')));
      assert.ok(syns.some((row) => row[0] === 'lan' && row[1] === '192.168.1.10' && row[2] === '203.0.113.80'), JSON.stringify(syns));
      assert.ok(syns.some((row) => row[0] === 'wan' && row[1] === '203.0.113.1' && row[2] === '203.0.113.80'), JSON.stringify(syns));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('destroying the network ends its link captures; the capture goes on (lo) or says which links are left', T, async () => {
    await ok(c.client.call('network', { action: 'destroy' }));
    const { capture } = await ok(c.client.call('capture', { action: 'status' }));
    assert.ok(!capture.links.includes('lan') && !capture.links.includes('wan'), capture.links.join(','));
  });

  it('with capture on, networks built and destroyed again and again leave no capture socket behind', { timeout: 90_000 }, async () => {
    const base = fdCount();
    for (let i = 0; i < 4; i++) {
      await ok(c.client.call('network', { action: 'create', topology: 'home' }));
      await waitUntil(async () => (await ok(c.client.call('capture', { action: 'status' }))).capture.links.includes('wan'), 10_000, 'the link captures');
      await ok(c.client.call('network', { action: 'destroy' }));
    }
    await waitUntil(() => fdCount() <= base, 10_000, () => `fds back to ${base} (now ${fdCount()})`);
  });
});
