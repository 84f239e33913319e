/**
 * The browser's packet view logic (app/_lib/lab/packets/*) on real captured frames
 * (tests/fixtures/packets/loopback.pcapng: a TCP hello with a half-close, a reset by close() with
 * unread data, a refused connect, on 127.0.0.1 and ::1): grouping under calls, the field↔byte map,
 * relative numbers, lanes, router crossings and each socket's path through RFC 9293's machine.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PacketEvent } from '../../server/protocol/index.ts';
import { readPcapngFile, type FileFrame } from '../helpers/pcapng.ts';
import { applyCapture, applyPacket, base64Bytes, captureLine, MAX_PACKETS, NO_PACKETS, packetsOfStep, type PacketsState, type PacketView } from '../../app/_lib/lab/packets/store.ts';
import { packetsReducer } from '../../app/_lib/lab/packets/reducer.ts';
import { byteRange, fieldIdAt, fieldRows, hexLines, shownValue } from '../../app/_lib/lab/packets/field-bytes.ts';
import { detailOf, endsOf, factsOf } from '../../app/_lib/lab/packets/decoded.ts';
import { relativeNumbers } from '../../app/_lib/lab/packets/relative.ts';
import { packetLanes } from '../../app/_lib/lab/packets/lanes.ts';
import { crossingsOf } from '../../app/_lib/lab/packets/crossings.ts';
import { tcpPath, type MachineInput } from '../../app/_lib/lab/packets/tcp-machine.ts';
import { machineInputs, packetWay, socketPath } from '../../app/_lib/lab/packets/socket-path.ts';
import type { KernelSnapshot, SockView, StepView } from '../../app/_lib/lab/state.ts';

const FRAMES = readPcapngFile(path.join(import.meta.dirname, '..', 'fixtures', 'packets', 'loopback.pcapng'));

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A packet event as the server sends it, from a fixture frame. */
function event(f: FileFrame, n: number, cause?: number | string): PacketEvent {
  return { event: 'packet', n, link: 'lo', time: Number(f.timestampNs / 1000n) / 1000, frame: b64(f.data), length: f.originalLength, direction: 'out', summary: `packet ${n}`, ...(cause !== undefined ? { cause } : {}) };
}

/** Every fixture frame as the page holds it (no causes). */
function allPackets(): PacketView[] {
  let s = NO_PACKETS;
  FRAMES.forEach((f, i) => (s = applyPacket(s, event(f, i + 1), 0)));
  return s.list;
}

const tcpOf = (p: PacketView) => factsOf(p).tcp;
const between = (list: PacketView[], a: number, b: number) =>
  list.filter((p) => {
    const t = tcpOf(p);
    return t && ((t.srcPort === a && t.dstPort === b) || (t.srcPort === b && t.dstPort === a));
  });

const sock = (over: Partial<SockView>): SockView => ({ handle: 's1', actor: 'client', type: 'tcp', family: 4, fd: 3, listening: false, blocking: true, closed: false, shut: { read: false, write: false }, waiting: [], ...over });

describe('the packet store', () => {
  it('groups packets under the step that caused them, and the uncaused under the newest step seen', () => {
    let s: PacketsState = NO_PACKETS;
    s = applyPacket(s, event(FRAMES[0], 1, 'ui7'), 4);
    s = applyPacket(s, event(FRAMES[1], 2, 'ui7'), 4);
    s = applyPacket(s, event(FRAMES[2], 3), 5);
    const caused = packetsOfStep(s, { id: 'ui7', seq: 4 });
    assert.deepEqual(caused.caused.map((p) => p.n), [1, 2]);
    assert.deepEqual(caused.after.map((p) => p.n), []);
    assert.deepEqual(packetsOfStep(s, { id: 'ui9', seq: 5 }).after.map((p) => p.n), [3]);
    // A numeric id is not the string with the same digits: ids are compared as the server sent them.
    assert.equal(packetsOfStep(s, { id: 7, seq: 9 }).caused.length, 0);
    // The frame's bytes are the fixture's bytes.
    assert.deepEqual(s.list[0].frame, FRAMES[0].data);
  });

  it('replaces only the group a packet joins, so rows of other steps keep their arrays (and skip a redraw)', () => {
    let s = applyPacket(NO_PACKETS, event(FRAMES[0], 1, 1), 1);
    const first = s.byGroup;
    s = applyPacket(s, event(FRAMES[1], 2, 2), 2);
    assert.equal(packetsOfStep(s, { id: 1, seq: 1 }).caused, first[Object.keys(first)[0]]);
  });

  it('keeps at most MAX_PACKETS, forgetting the oldest and counting them', () => {
    let s = NO_PACKETS;
    for (let i = 1; i <= MAX_PACKETS + 5; i++) s = applyPacket(s, event(FRAMES[i % FRAMES.length], i, i % 3), i);
    assert.equal(s.list.length, MAX_PACKETS);
    assert.equal(s.forgotten, 5);
    assert.equal(s.list[0].n, 6);
    const grouped = Object.values(s.byGroup).reduce((n, g) => n + g.length, 0);
    assert.equal(grouped, MAX_PACKETS, 'the groups forget the same packets');
  });

  it('reads bad base64 as no bytes rather than throwing', () => {
    assert.equal(base64Bytes('%%%').length, 0);
  });

  it('says in one line why capture is unavailable and what enables it; nothing when it runs', () => {
    const s = applyCapture(NO_PACKETS, { state: 'unavailable', links: [], packets: 0, countedOnly: 0, cap: 2000, code: 'EPERM', reason: 'capturing on lo needs root or CAP_NET_RAW', enable: 'run the server as root.' });
    const line = captureLine(s.capture)!;
    assert.match(line, /needs root or CAP_NET_RAW/);
    assert.match(line, /To enable it: run the server as root\./);
    assert.equal(line.split('\n').length, 1);
    assert.equal(captureLine({ state: 'on', links: ['lo'], packets: 3, countedOnly: 0, cap: 2000 }), null);
    assert.match(captureLine({ state: 'capped', links: ['lo'], packets: 2000, countedOnly: 12, cap: 2000 })!, /12 more were counted/);
    // Loopback refused but the sandbox links work: the lab page says why; the network view runs.
    const sandboxOnly = { state: 'off' as const, links: ['lan' as const, 'wan' as const], packets: 0, countedOnly: 0, cap: 5000, code: 'EPERM', reason: 'Capturing packets on lo needs root.', enable: 'Run the server as root.' };
    assert.match(captureLine(sandboxOnly, 'lo')!, /^Packets cannot be captured here: Capturing packets on lo needs root\. To enable it: Run the server as root\.$/);
    assert.equal(captureLine(sandboxOnly, 'sandbox'), null);
    assert.match(captureLine(null)!, /--capture-packets 0/);
  });

  it('a new session (hello) starts empty with its capture state', () => {
    const s = packetsReducer(applyPacket(NO_PACKETS, event(FRAMES[0], 1), 0), {
      type: 'hello',
      hello: { capture: { state: 'off', links: ['lo'], packets: 0, countedOnly: 0, cap: 2000 } } as never,
    });
    assert.equal(s.list.length, 0);
    assert.equal(s.capture?.state, 'off');
  });
});

describe('fields and bytes', () => {
  const list = allPackets();
  const syn = list.find((p) => tcpOf(p)?.flags === 0x002 && factsOf(p).ip?.version === 4)!;

  it('maps every field of a real SYN to its bytes, and each byte back to a field', () => {
    const d = detailOf(syn);
    const rows = fieldRows(d);
    const src = rows.find((r) => r.field.key === 'ip.src')!;
    // Ethernet (14) + 12 bytes into the IPv4 header.
    assert.deepEqual(byteRange(src), [26, 30]);
    for (let at = 26; at < 30; at++) assert.equal(fieldIdAt(d, rows, at), src.id);
    const port = rows.find((r) => r.field.key === 'tcp.dstport')!;
    assert.equal(fieldIdAt(d, rows, port.field.offset + 1), port.id);
    // The flags share their bytes with the header length: a byte there lights the enclosing field.
    const flags = rows.find((r) => r.field.key === 'tcp.flags')!;
    const at = fieldIdAt(d, rows, flags.field.offset + 1)!;
    assert.ok(at === flags.id || rows.find((r) => r.id === at)!.parent === flags.id, `byte of the flags lights the flags (${at})`);
    // Children have ids under their parent; the MSS option is there with its value.
    const mss = rows.find((r) => r.field.key === 'tcp.options.mss_val')!;
    assert.ok(mss.id.startsWith(rows.find((r) => r.field.key === 'tcp.options')!.id + '.'));
    assert.equal(mss.field.raw, 65495);
    // Every row has an explanation.
    for (const r of rows) assert.ok(r.field.explain.length > 10, r.field.key);
  });

  it('shows sequence numbers relative as Wireshark does, and raw on request', () => {
    const rel = relativeNumbers(list);
    const conv = between(list, 41110, 41100).filter((p) => factsOf(p).ip?.version === 4);
    const [s, sa, a] = conv;
    assert.equal(rel.get(s)!.seq, 0);
    assert.equal(rel.get(sa)!.ack, 1);
    assert.equal(rel.get(a)!.seq, 1);
    const seqRow = fieldRows(detailOf(a)).find((r) => r.field.key === 'tcp.seq_raw')!;
    assert.equal(shownValue(seqRow.field, rel.get(a)!, false), '1 (relative)');
    assert.equal(shownValue(seqRow.field, rel.get(a)!, true), `${tcpOf(a)!.seq} (relative 1)`);
    assert.equal(shownValue(seqRow.field, null, false), seqRow.field.value);
  });

  it('lays the frame out 16 bytes a line', () => {
    const lines = hexLines(syn.frame);
    assert.equal(lines[0].bytes.length, 16);
    assert.equal(lines[1].offset, 16);
    assert.equal(lines.reduce((n, l) => n + l.bytes.length, 0), syn.frame.length);
  });
});

describe('lanes and crossings', () => {
  const list = allPackets();
  it('puts each end of a packet in the lane of the socket with that address and port', () => {
    const conv = between(list, 41110, 41100).filter((p) => factsOf(p).ip?.version === 4);
    const sockets = [
      sock({ handle: 's1', actor: 'server', local: { address: '127.0.0.1', port: 41100 }, listening: true }),
      sock({ handle: 's2', actor: 'client', local: { address: '127.0.0.1', port: 41110 }, remote: { address: '127.0.0.1', port: 41100 } }),
      sock({ handle: 's3', actor: 'server', local: { address: '127.0.0.1', port: 41100 }, remote: { address: '127.0.0.1', port: 41110 }, acceptedFrom: 's1' }),
    ];
    assert.deepEqual(packetLanes(conv[0], sockets, ['server', 'client']), { from: 'client', to: 'server' });
    assert.deepEqual(packetLanes(conv[1], sockets, ['server', 'client']), { from: 'server', to: 'client' });
    // A packet to a port no socket of the session has: no lane (or 'outside' where that lane exists).
    assert.deepEqual(packetLanes(conv[0], sockets.slice(1, 2), ['client']), { from: 'client', to: null });
    assert.deepEqual(packetLanes(conv[0], sockets.slice(1, 2), ['client', 'outside']), { from: 'client', to: 'outside' });
  });

  it('pairs a packet seen on lan and on wan and names what the router rewrote', () => {
    // The same real SYN twice: on wan with the source address and port a masquerading router gives.
    const syn = list.find((p) => tcpOf(p)?.flags === 0x002 && factsOf(p).ip?.version === 4)!;
    const natted = syn.frame.slice();
    natted.set([203, 0, 113, 1], 26);
    natted.set([0xc3, 0x50], 34);
    const lan: PacketView = { ...syn, n: 1, link: 'lan', host: 'router' };
    const wan: PacketView = { ...syn, n: 2, link: 'wan', host: 'router', frame: natted, time: syn.time + 0.2 };
    const other: PacketView = { ...list.find((p) => tcpOf(p)?.flags === 0x012)!, n: 3, link: 'wan' };
    const crossings = crossingsOf([lan, wan, other]);
    assert.equal(crossings.get(lan)?.twin, wan);
    assert.equal(crossings.get(wan)?.twin, lan);
    assert.deepEqual(crossings.get(wan)?.rewritten, ['src-address', 'src-port']);
    assert.equal(endsOf(wan)!.src.address, '203.0.113.1');
    assert.equal(endsOf(wan)!.src.port, 0xc350);
    assert.equal(crossings.has(other), false);
    // Too far apart in time: not the same packet.
    assert.equal(crossingsOf([lan, { ...wan, time: syn.time + 5000 }]).size, 0);
  });
});

describe('the TCP state machine on real conversations', () => {
  const list = allPackets().filter((p) => factsOf(p).ip?.version === 4);
  const inputsFor = (local: number, remote: number, before: MachineInput[] = []): MachineInput[] => [
    ...before,
    ...between(list, local, remote).map((p): MachineInput => {
      const t = tcpOf(p)!;
      return { kind: 'packet', out: t.srcPort === local, flags: t.flags, seq: t.seq, ack: t.ack, length: t.payloadLength, n: p.n };
    }),
  ];
  const states = (inputs: MachineInput[]) => {
    const path = tcpPath(inputs);
    return path.length ? [path[0].from, ...path.map((p) => p.to)] : [];
  };

  it('the client of a half-closed hello goes through FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT', () => {
    assert.deepEqual(states(inputsFor(41110, 41100)), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
  });

  it('its server side goes through SYN-RECEIVED, CLOSE-WAIT and LAST-ACK', () => {
    assert.deepEqual(states(inputsFor(41100, 41110, [{ kind: 'call', op: 'accepted' }])), ['LISTEN', 'SYN_RECEIVED', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED_END']);
  });

  it('close() with unread data resets: both ends leave ESTABLISHED for CLOSED by the RST', () => {
    const server = tcpPath(inputsFor(41100, 41111, [{ kind: 'call', op: 'accepted' }]));
    assert.deepEqual(server.at(-1), { from: 'ESTABLISHED', to: 'CLOSED_END', why: server.at(-1)!.why });
    assert.match(server.at(-1)!.why, /sent .*RST/);
    const client = tcpPath(inputsFor(41111, 41100));
    assert.match(client.at(-1)!.why, /received .*RST/);
    assert.equal(client.at(-1)!.to, 'CLOSED_END');
  });

  it('a refused connect goes SYN-SENT to CLOSED by the RST', () => {
    assert.deepEqual(states(inputsFor(41112, 41101)), ['CLOSED', 'SYN_SENT', 'CLOSED_END']);
  });

  it('without packets, the kernel\'s states drive the path where the machine allows the move', () => {
    const inputs: MachineInput[] = [{ kind: 'call', op: 'connect' }, { kind: 'kernel', state: 'ESTABLISHED' }, { kind: 'kernel', state: 'LISTEN' }, { kind: 'kernel', state: 'TIME_WAIT' }];
    // No way leads from ESTABLISHED back to LISTEN: ignored. TIME_WAIT seen right after ESTABLISHED
    // (a close() between two looks) fills in the states passed through on the way.
    const path = tcpPath(inputs);
    assert.deepEqual(states(inputs), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
    assert.match(path[2].why, /passed through between two looks/);
    assert.match(path.at(-1)!.why, /the kernel's table: TIME_WAIT/);
  });

  it('gathers a lab socket\'s inputs from its steps, packets and kernel views', () => {
    const conv = between(list, 41110, 41100);
    const t0 = conv[0].time;
    const client = sock({ handle: 's2', local: { address: '127.0.0.1', port: 41110 }, remote: { address: '127.0.0.1', port: 41100 }, closed: true });
    assert.equal(packetWay(client, conv[0]), 'out');
    assert.equal(packetWay(client, conv[1]), 'in');
    const steps = [{ event: 'step', seq: 3, id: 'ui3', actor: 'client', op: 'connect', sock: 's2', args: { sock: 's2', address: '127.0.0.1', port: 41100 }, status: 'ok', start: t0 - 1, end: t0 + 1 }] as unknown as StepView[];
    const log: KernelSnapshot[] = [{ afterSeq: 3, rows: [{ proto: 'tcp', local: client.local!, remote: client.remote!, state: 'ESTABLISHED', rxQueue: 0, txQueue: 0, inode: 1, sock: 's2', relation: 'own' }] }];
    const inputs = machineInputs(client, steps, conv, log);
    assert.deepEqual(inputs.slice(0, 2).map((i) => i.kind), ['call', 'packet']);
    assert.equal(socketPath(client, steps, conv, log).at(-1)!.to, 'TIME_WAIT');
  });
});
