/**
 * The class QR code (server/class/qr.ts) as a phone would meet it: the terminal banner's half-block
 * text, turned back into pixels the way a screen shows it, decodes to the student URL with jsQR (an
 * independent decoder). The SVG is decoded the same way after Chromium draws it (tests/e2e/qr.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsQR from 'jsqr';
import { qrTerminal } from '../../server/class/qr.ts';

const URLS = [
  'http://192.168.1.20:3000/class',
  'http://10.0.0.7:4000/class?code=K7QX-2M9P',
  'http://[2001:db8::20]:3000/class?code=ABCD-EFGH&name=Networks%20101',
];

/** Each character is one module wide and two tall; a light border as wide as a phone would see. */
function terminalToPixels(text: string, scale = 6, border = 4): { data: Uint8ClampedArray; width: number; height: number } {
  const rows = text.split('\n').map((l) => [...l.replace(/\x1b\[[0-9;]*m/g, '')]);
  const modules: boolean[][] = [];
  for (const row of rows) {
    modules.push(row.map((c) => c === '█' || c === '▀'));
    modules.push(row.map((c) => c === '█' || c === '▄'));
  }
  const side = rows[0].length + 2 * border;
  const width = side * scale;
  const height = (modules.length + 2 * border) * scale;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + border) * scale + dy) * width + (x + border) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
      }
    }),
  );
  return { data, width, height };
}

describe('the terminal QR code', () => {
  for (const url of URLS) {
    test(`decodes to ${url}`, () => {
      const { data, width, height } = terminalToPixels(qrTerminal(url));
      const found = jsQR(data, width, height);
      assert.ok(found, 'jsQR found no code');
      assert.equal(found.data, url);
    });
  }

  test('every line is the same width, uses only half blocks, and sets dark-on-white colours', () => {
    const lines = qrTerminal(URLS[1]).split('\n');
    const plain = lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
    assert.ok(plain.every((l) => l.length === plain[0].length));
    assert.ok(plain.every((l) => /^[ ▀▄█]+$/.test(l)));
    for (const l of lines) {
      assert.ok(l.startsWith('\x1b[47m\x1b[30m'), 'white background, black foreground, whatever the terminal');
      assert.ok(l.endsWith('\x1b[0m'), 'colours reset at the end of the line');
    }
  });

  test('a blank rendering would not decode (the decoding above is not vacuous)', () => {
    const lines = qrTerminal(URLS[0]).split('\n').map((l) => l.replace(/[▀▄█]/g, ' '));
    const { data, width, height } = terminalToPixels(lines.join('\n'));
    assert.equal(jsQR(data, width, height), null);
  });
});
