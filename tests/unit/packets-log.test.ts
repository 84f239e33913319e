/**
 * PacketLog: numbers, summaries with relative numbers across a session's links, causes, and the
 * pcapng file tshark reads back (one interface per link, comments naming the step).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { PacketLog } from '../../server/capture/packet-log.ts';
import { readPcapng, readPcapngFile } from '../helpers/pcapng.ts';
import { needs } from '../helpers/tools.ts';
import { tsharkFields } from '../helpers/tshark.ts';

const frames = readPcapngFile(path.join(import.meta.dirname, '..', 'fixtures', 'packets', 'loopback.pcapng')).slice(0, 4);
const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sample() {
  const log = new PacketLog(2048);
  frames.forEach((f, i) =>
    log.add(
      { link: i === 3 ? 'wan' : 'lan', data: f.data, originalLength: f.originalLength, timestampNs: f.timestampNs, direction: 'in' },
      i === 0 ? { id: 12, label: 'step 12: connect s1' } : undefined,
    ),
  );
  return log;
}

describe('PacketLog', () => {
  it('numbers packets and summarises them with relative numbers across links', () => {
    const log = sample();
    assert.deepEqual(log.entries().map((e) => [e.seq, e.link, e.summary, e.cause]), [
      [1, 'lan', '127.0.0.1:41110 → 127.0.0.1:41100 [SYN] seq=0 win=65495', 12],
      [2, 'lan', '127.0.0.1:41100 → 127.0.0.1:41110 [SYN, ACK] seq=0 ack=1 win=65483', undefined],
      [3, 'lan', '127.0.0.1:41110 → 127.0.0.1:41100 [ACK] seq=1 ack=1 win=65536', undefined],
      [4, 'wan', '127.0.0.1:41110 → 127.0.0.1:41100 [PSH, ACK] seq=1 ack=1 win=65536 len=14', undefined],
    ]);
  });

  it('writes one interface per link, or only the links asked for', () => {
    const log = sample();
    assert.deepEqual(readPcapng(log.pcapng()).map((f) => f.interfaceName), ['lan', 'lan', 'lan', 'wan']);
    assert.deepEqual(readPcapng(log.pcapng(['wan'])).map((f) => f.data), [frames[3].data]);
    log.clear();
    assert.equal(log.size, 0);
    assert.equal(readPcapng(log.pcapng()).length, 0);
  });

  it('makes a file tshark opens, with the cause as a comment', { skip: needs('tshark') }, () => {
    const file = path.join(dir, 'session.pcapng');
    writeFileSync(file, sample().pcapng());
    const rows = tsharkFields(file, ['frame.number', 'frame.interface_name', 'frame.comment', 'tcp.seq']);
    assert.deepEqual(rows.map((r) => [r[1], r[2], r[3]]), [['lan', 'step 12: connect s1', '0'], ['lan', '', '0'], ['lan', '', '1'], ['wan', '', '1']]);
  });
});
