/**
 * The chat page's text (app/_lib/lab/chat-lines.ts): received bytes become lines, decoded as one
 * UTF-8 stream, so wherever TCP cuts the bytes the lines come out the same.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesFromBase64, ChatTextStream, classify, LineSplitter } from '../../app/_lib/lab/chat-lines.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('ChatTextStream', () => {
  const TEXT = '* welcome, guest1.\r\n<zoë> hi 👋 — ça va?\n<李> 你好\n';
  const LINES = ['* welcome, guest1.', '<zoë> hi 👋 — ça va?', '<李> 你好'];

  test('the same lines wherever the bytes are cut in two', () => {
    const bytes = utf8(TEXT);
    for (let at = 0; at <= bytes.length; at++) {
      const s = new ChatTextStream();
      assert.deepEqual([...s.push(bytes.subarray(0, at)), ...s.push(bytes.subarray(at)), ...s.end()], LINES, `cut at byte ${at}`);
    }
  });

  test('the same lines one byte per read', () => {
    const s = new ChatTextStream();
    const lines = [...utf8(TEXT)].flatMap((b) => s.push(Uint8Array.of(b)));
    assert.deepEqual([...lines, ...s.end()], LINES);
  });

  test('"hi 👋" cut at byte 5, as recv() results carry it (base64)', () => {
    const bytes = utf8('hi 👋\n');
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    const s = new ChatTextStream();
    assert.deepEqual(s.pushBase64(b64(bytes.subarray(0, 5))), []);
    assert.deepEqual(s.pushBase64(b64(bytes.subarray(5))), ['hi 👋']);
  });

  test('bytes that are not UTF-8 show as "�", and the text after them is kept', () => {
    const s = new ChatTextStream();
    assert.deepEqual(s.push(Uint8Array.of(0x61, 0xff, 0x62, 0x0a)), ['a�b']);
  });

  test('at the end: a last line without "\\n" is shown, a cut-off character is "�"', () => {
    const s = new ChatTextStream();
    assert.deepEqual(s.push(utf8('bye')), []);
    assert.deepEqual(s.end(), ['bye']);
    const cut = new ChatTextStream();
    assert.deepEqual(cut.push(utf8('👋').subarray(0, 2)), []);
    assert.deepEqual(cut.end(), ['�']);
    assert.deepEqual(new ChatTextStream().end(), []);
  });
});

describe('chat lines', () => {
  test('LineSplitter keeps the unfinished tail and drops a "\\r" before "\\n"', () => {
    const l = new LineSplitter();
    assert.deepEqual(l.push('a\r\nb'), ['a']);
    assert.deepEqual(l.push('c\n'), ['bc']);
  });

  test('classify: notices, errors and messages', () => {
    assert.equal(classify('* bob joined'), 'notice');
    assert.equal(classify('! line too long (max 4096 bytes)'), 'error');
    assert.equal(classify('<bob> * not a notice'), 'message');
  });

  test('bytesFromBase64 gives the exact bytes', () => {
    assert.deepEqual([...bytesFromBase64('AP8K8J8=')], [0x00, 0xff, 0x0a, 0xf0, 0x9f]);
  });
});
