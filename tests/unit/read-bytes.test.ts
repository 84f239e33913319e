/**
 * The step detail's view of a read (app/_lib/lab/read-bytes.ts): the exact bytes, and an honest
 * note when TCP cut a character between two reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBytes, SHOWN_BYTES, splitNotes } from '../../app/_lib/lab/read-bytes.ts';

const b64 = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('base64');
const HI = Buffer.from('hi 👋\n'); // 68 69 20 F0 9F 91 8B 0A

test('"hi 👋" cut at byte 5: the first read ends inside the emoji, the second starts inside it', () => {
  const first = readBytes(b64(HI.subarray(0, 5)));
  assert.equal(first.hex, '68 69 20 F0 9F');
  assert.deepEqual(first.cutAtStart, []);
  assert.deepEqual(first.cutAtEnd, { bytes: [0xf0, 0x9f], of: 4 });
  const [note] = splitNotes(first);
  assert.match(note, /^The last 2 bytes \(F0 9F\) begin a 4-byte character whose other 2 bytes were not in this read/);
  assert.match(note, /TCP delivers a stream of bytes/);

  const second = readBytes(b64(HI.subarray(5)));
  assert.equal(second.hex, '91 8B 0A');
  assert.deepEqual(second.cutAtStart, [0x91, 0x8b]);
  assert.equal(second.cutAtEnd, null);
  assert.deepEqual(splitNotes(second), ['The first 2 bytes (91 8B) finish a character that began in an earlier read, so decoded alone they show as “�”.']);
});

test('whole characters get no note, wherever they are', () => {
  for (const text of ['hi 👋\n', 'é', '你好', 'plain ascii', '']) {
    const r = readBytes(b64(Buffer.from(text)));
    assert.deepEqual(splitNotes(r), [], text);
  }
});

test('every cut of a 2-, 3- and 4-byte character is found', () => {
  for (const ch of ['é', '你', '👋']) {
    const bytes = Buffer.from(`a${ch}b`);
    for (let at = 2; at < 1 + Buffer.byteLength(ch); at++) {
      const before = readBytes(b64(bytes.subarray(0, at)));
      const after = readBytes(b64(bytes.subarray(at)));
      assert.deepEqual(before.cutAtEnd, { bytes: [...bytes.subarray(1, at)], of: Buffer.byteLength(ch) }, `${ch} cut at ${at}`);
      assert.deepEqual(after.cutAtStart, [...bytes.subarray(at, 1 + Buffer.byteLength(ch))], `${ch} cut at ${at}`);
    }
  }
});

test('bytes that are not UTF-8 at all are not called a cut character', () => {
  assert.deepEqual(splitNotes(readBytes(b64([0x41, 0xff]))), []);
  assert.deepEqual(splitNotes(readBytes(b64([0xff, 0xfe, 0x00]))), []);
});

test('a big read shows its first bytes and says how many more', () => {
  const r = readBytes(b64(new Uint8Array(1000).fill(0x41)));
  assert.equal(r.count, 1000);
  assert.equal(r.hex.split(' ').length, SHOWN_BYTES);
  assert.equal(r.more, 1000 - SHOWN_BYTES);
});
