/**
 * The chat's line framing (server/chat/line-buffer.ts): TCP delivers bytes in chunks of any size, and
 * the buffer cuts them into lines at "\n". The documented rule (public/programs/chat/README.md, the
 * capstone lesson, and the downloadable servers): a line is at most 4096 bytes, not counting its "\n"
 * or a "\r" before it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeUtf8, LineBuffer, MAX_LINE_BYTES, type LineEvent } from '../../server/chat/line-buffer.ts';

const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s));

/** What the buffer made of the chunks, as short readable strings: "line:hi", "too-long". */
function feed(chunks: (string | Buffer)[], max?: number): string[] {
  const buf = new LineBuffer(max);
  return chunks.flatMap((c) => buf.push(typeof c === 'string' ? b(c) : c)).map(show);
}

function show(e: LineEvent): string {
  if (e.kind === 'too-long') return 'too-long';
  const text = e.bytes.toString('utf8');
  // A long line is shown by its length and ends, so a failure message stays short.
  return text.length > 40 ? `line:${text.length} bytes ${JSON.stringify(text.slice(0, 8))}…${JSON.stringify(text.slice(-8))}` : `line:${text}`;
}

describe('LineBuffer', () => {
  test('the cap is the documented 4096 bytes', () => {
    assert.equal(MAX_LINE_BYTES, 4096);
  });

  test('several lines in one chunk, each without its newline', () => {
    assert.deepEqual(feed(['one\ntwo\nthree\n']), ['line:one', 'line:two', 'line:three']);
  });

  test('an unfinished line waits for its newline, across as many chunks as it takes', () => {
    const buf = new LineBuffer();
    assert.deepEqual(buf.push(b('hel')), []);
    assert.deepEqual(buf.push(b('lo wo')), []);
    assert.deepEqual(buf.push(b('rld\nnext')).map(show), ['line:hello world']);
    assert.deepEqual(buf.push(b('\n')).map(show), ['line:next']);
  });

  test('one byte at a time gives the same lines as one big chunk', () => {
    const text = 'alpha\r\nbeta\n\ngamma\n';
    const byByte = feed([...b(text)].map((x) => Buffer.from([x])));
    assert.deepEqual(byByte, feed([text]));
    assert.deepEqual(byByte, ['line:alpha', 'line:beta', 'line:', 'line:gamma']);
  });

  test('CRLF clients (nc -C, telnet, Windows): the "\\r" before "\\n" is not part of the line', () => {
    assert.deepEqual(feed(['hi\r\n', 'there\r', '\n']), ['line:hi', 'line:there']);
    // Only one "\r" right before the newline is a line ending; others are text.
    assert.deepEqual(feed(['a\rb\r\r\n']), ['line:a\rb\r']);
  });

  test('an empty line is a line', () => {
    assert.deepEqual(feed(['\n', '\r\n']), ['line:', 'line:']);
  });

  describe('at the cap', () => {
    const line = (n: number) => 'x'.repeat(n);

    test('exactly 4096 bytes is accepted, in one chunk or split anywhere', () => {
      assert.deepEqual(feed([`${line(4096)}\n`]), [show({ kind: 'line', bytes: b(line(4096)) })]);
      for (const at of [1, 2048, 4095, 4096]) {
        const whole = b(`${line(4096)}\n`);
        assert.deepEqual(feed([whole.subarray(0, at), whole.subarray(at)]), [show({ kind: 'line', bytes: b(line(4096)) })], `split at ${at}`);
      }
    });

    test('exactly 4096 bytes with CRLF is accepted too: the "\\r" is part of the ending, as in the downloadable servers', () => {
      assert.deepEqual(feed([`${line(4096)}\r\n`]), [show({ kind: 'line', bytes: b(line(4096)) })]);
      assert.deepEqual(feed([`${line(4096)}\r`, '\n']), [show({ kind: 'line', bytes: b(line(4096)) })]);
    });

    test('4097 bytes is refused once, with or without CRLF, and the next line is read normally', () => {
      assert.deepEqual(feed([`${line(4097)}\nok\n`]), ['too-long', 'line:ok']);
      assert.deepEqual(feed([`${line(4097)}\r\nok\r\n`]), ['too-long', 'line:ok']);
      assert.deepEqual(feed([line(4097), '\n', 'ok\n']), ['too-long', 'line:ok']);
    });

    test('a line is refused as soon as it cannot fit, before its newline arrives (memory stays bounded)', () => {
      const maybeCrlf = new LineBuffer();
      assert.deepEqual(maybeCrlf.push(b(line(4097))), [], '4096 bytes and a "\\r" may still be a whole line');
      const over = new LineBuffer();
      assert.deepEqual(over.push(b(line(4098))).map(show), ['too-long']);
    });

    test('a very long line is refused once and not kept: the rest up to its newline is skipped', () => {
      const buf = new LineBuffer();
      const events = [...buf.push(b(line(3000))), ...buf.push(b(line(3000))), ...buf.push(b(line(100_000))), ...buf.push(b('tail\nafter\n'))];
      assert.deepEqual(events.map(show), ['too-long', 'line:after']);
    });

    test('a smaller cap works the same way', () => {
      assert.deepEqual(feed(['abcd\nabcde\nab\r\n'], 4), ['line:abcd', 'too-long', 'line:ab']);
    });
  });

  test('a multi-byte character split across chunks arrives whole in its line', () => {
    const bytes = b('hi 👋 é\n'); // 👋 is F0 9F 91 8B
    const events = feed([bytes.subarray(0, 5), bytes.subarray(5, 7), bytes.subarray(7)]);
    assert.deepEqual(events, ['line:hi 👋 é']);
  });

  test('decodeUtf8 gives the text, or null for bytes that are not UTF-8', () => {
    assert.equal(decodeUtf8(b('hi 👋')), 'hi 👋');
    assert.equal(decodeUtf8(b([0xff, 0xfe, 0x41])), null);
    assert.equal(decodeUtf8(b([0xf0, 0x9f, 0x91])), null, 'a character cut short is not text');
  });
});
