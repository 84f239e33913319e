import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, hexDump, MAX_TEXT_LENGTH } from '../../app/_lib/bytes.ts';

const bytesOf = (text: string, escapes = false) => Array.from(encode(text, { escapes }).bytes);

test('ASCII: one byte per character, the same in hex and decimal', () => {
  const e = encode('Hi!', { escapes: false });
  assert.deepEqual(Array.from(e.bytes), [0x48, 0x69, 0x21]);
  assert.equal(e.characterCount, 3);
  assert.equal(e.codePointCount, 3);
  assert.equal(e.groups.length, 3);
  assert.equal(hexDump(e.bytes), '48 69 21');
  assert.equal(e.invalidUtf8, false);
});

test('é is two bytes, grouped under one character', () => {
  const e = encode('café', { escapes: false });
  assert.deepEqual(Array.from(e.bytes), [0x63, 0x61, 0x66, 0xc3, 0xa9]);
  assert.equal(e.bytes.length, 5);
  assert.equal(e.characterCount, 4);
  assert.deepEqual(e.groups[3].units[0].bytes, [0xc3, 0xa9]);
});

test('an emoji is one character, one code point, four bytes', () => {
  const e = encode('😀', { escapes: false });
  assert.deepEqual(Array.from(e.bytes), [0xf0, 0x9f, 0x98, 0x80]);
  assert.equal(e.characterCount, 1);
  assert.equal(e.codePointCount, 1);
  assert.equal(e.groups[0].units[0].name.startsWith('U+1F600'), true);
});

test('an emoji with a skin tone is one character made of two code points (8 bytes)', () => {
  const e = encode('👍🏽', { escapes: false });
  assert.equal(e.bytes.length, 8);
  assert.equal(e.characterCount, 1);
  assert.equal(e.codePointCount, 2);
  assert.equal(e.groups.length, 1);
  assert.equal(e.groups[0].cluster, true);
  assert.equal(e.groups[0].units.length, 2);
});

test('CRLF typed as real line breaks, and as escapes', () => {
  assert.deepEqual(bytesOf('a\r\nb'), [0x61, 0x0d, 0x0a, 0x62]);
  // Unicode calls CR LF one grapheme; on the wire it is two characters, and so it is counted here.
  assert.equal(encode('a\r\nb', { escapes: false }).characterCount, 4);
  assert.equal(encode('a\\r\\nb', { escapes: true }).characterCount, 4);
  assert.equal(encode('a\r\nb', { escapes: false }).groups.length, 4);
  assert.deepEqual(bytesOf('a\\r\\nb', true), [0x61, 0x0d, 0x0a, 0x62]);
  // Without escapes, a backslash is just a backslash.
  assert.deepEqual(bytesOf('a\\r', false), [0x61, 0x5c, 0x72]);
  const cr = encode('\r', { escapes: false }).groups[0].units[0];
  assert.equal(cr.glyph, 'CR');
});

test('an HTTP request written with escapes has the exact bytes of the wire', () => {
  const e = encode('GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n', { escapes: true });
  const expected = Array.from(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.deepEqual(Array.from(e.bytes), expected);
  assert.equal(e.bytes.length, 27);
  assert.equal(e.errors.length, 0);
});

test('\\t, \\0, \\\\ and \\xNN escapes', () => {
  assert.deepEqual(bytesOf('\\t\\0\\\\\\x41\\xff', true), [0x09, 0x00, 0x5c, 0x41, 0xff]);
  const e = encode('\\xc3\\xa9', { escapes: true });
  assert.deepEqual(Array.from(e.bytes), [0xc3, 0xa9]);
  assert.equal(e.characterCount, 1, 'two raw bytes that form é decode to one character');
  assert.equal(e.invalidUtf8, false);
  assert.equal(e.groups[0].units[0].kind, 'byte');
});

test('a raw byte that is not UTF-8 is flagged', () => {
  const e = encode('ok\\xff', { escapes: true });
  assert.equal(e.invalidUtf8, true);
});

test('invalid escapes are reported with their position and kept as typed', () => {
  const e = encode('a\\qb\\x4g\\', { escapes: true });
  assert.equal(e.errors.length, 3);
  assert.deepEqual(e.errors.map((x) => x.at), [1, 4, 8]);
  assert.match(e.errors[0].message, /\\q is not an escape/);
  assert.match(e.errors[1].message, /two hex digits/);
  assert.match(e.errors[2].message, /at the very end/);
  // Kept as typed: the bytes are those of the literal text.
  assert.deepEqual(Array.from(e.bytes), Array.from(new TextEncoder().encode('a\\qb\\x4g\\')));
  assert.equal(e.groups.filter((g) => g.units[0].kind === 'invalid').length, 3);
  // Positions for people count characters, not UTF-16 units: the emoji is one.
  assert.equal(encode('😀\\q', { escapes: true }).errors[0].column, 2);
});

test('invisible characters get a visible name', () => {
  const glyphs = encode(' \t\u00a0\u200b\u0301', { escapes: false }).groups.map((g) => g.glyph);
  assert.deepEqual(glyphs.slice(0, 4), ['SP', 'TAB', 'NBSP', 'ZWSP']);
  assert.equal(glyphs[4], '◌\u0301', 'a combining mark alone is drawn on a dotted circle');
});

test('empty text and very long text', () => {
  const empty = encode('', { escapes: true });
  assert.equal(empty.bytes.length, 0);
  assert.equal(empty.characterCount, 0);
  const long = encode('a'.repeat(MAX_TEXT_LENGTH + 10), { escapes: false });
  assert.equal(long.truncated, true);
  assert.equal(long.bytes.length, MAX_TEXT_LENGTH);
});

test('a lone surrogate (not a character) becomes U+FFFD and is flagged', () => {
  const e = encode('a\ud800', { escapes: false });
  assert.deepEqual(Array.from(e.bytes), [0x61, 0xef, 0xbf, 0xbd]);
  assert.equal(e.invalidUtf8, true);
});
