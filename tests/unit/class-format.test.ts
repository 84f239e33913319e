/**
 * The words on the instructor's dashboard (app/_lib/class/format.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clock, lessonHref, lessonLabel, lessonTotals, matrixCell, plural, sortTallies, summaryFileName, svgDataUrl, tallySentence } from '../../app/_lib/class/format.ts';

describe('format', () => {
  test('error tallies read as sentences, singular and plural', () => {
    assert.equal(tallySentence({ code: 'EADDRINUSE', students: 12, calls: 30 }), '12 students got EADDRINUSE (30 calls)');
    assert.equal(tallySentence({ code: 'ECONNREFUSED', students: 1, calls: 1 }), '1 student got ECONNREFUSED (1 call)');
    assert.equal(plural(0, 'student'), '0 students');
  });

  test('tallies: most students first, then most calls, then by code', () => {
    const sorted = sortTallies([
      { code: 'EPIPE', students: 2, calls: 2 },
      { code: 'EADDRINUSE', students: 12, calls: 30 },
      { code: 'EAGAIN', students: 2, calls: 9 },
      { code: 'EBADF', students: 2, calls: 2 },
    ]);
    assert.deepEqual(sorted.map((t) => t.code), ['EADDRINUSE', 'EAGAIN', 'EBADF', 'EPIPE']);
  });

  test('lessons by number and name; pushes to unknown slugs go to the course map', () => {
    assert.equal(lessonLabel('what-is-a-socket-program'), 'lesson 1 (what is a socket program)');
    assert.equal(lessonLabel('chat-capstone'), 'lesson 18 (chat capstone)');
    assert.equal(lessonLabel('nope'), 'nope');
    assert.equal(lessonHref('sockets'), '/learn/sockets');
    assert.equal(lessonHref(null), '/');
    assert.equal(lessonHref('../../etc'), '/');
    assert.equal(lessonHref('nope'), '/');
  });

  test('matrix cells: text for the eye, words for a screen reader', () => {
    assert.deepEqual(matrixCell(undefined), { text: '–', label: 'not started', tone: 'none' });
    assert.deepEqual(matrixCell({ read: false, quiz: null }), { text: '–', label: 'not started', tone: 'none' });
    assert.deepEqual(matrixCell({ read: true, quiz: null }), { text: '✓', label: 'read', tone: 'read' });
    assert.deepEqual(matrixCell({ read: true, quiz: { score: 4, total: 5, passed: true } }), { text: '✓ 4/5', label: 'read, quiz 4 of 5, passed', tone: 'passed' });
    assert.deepEqual(matrixCell({ read: false, quiz: { score: 1, total: 5, passed: false } }), { text: '1/5', label: 'quiz 1 of 5, not passed', tone: 'failed' });
  });

  test('totals count only the course\'s lessons', () => {
    assert.deepEqual(
      lessonTotals({
        networks: { read: true, quiz: { score: 5, total: 5, passed: true } },
        sockets: { read: true, quiz: { score: 1, total: 5, passed: false } },
        other: { read: true, quiz: { score: 5, total: 5, passed: true } },
      }),
      { read: 2, passed: 1 },
    );
  });

  test('the QR SVG becomes a base64 data URL that decodes to the same text (non-ASCII too)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>Klasse “Sockets” – ü</title>' + '<rect/>'.repeat(20000) + '</svg>';
    const url = svgDataUrl(svg);
    assert.ok(url.startsWith('data:image/svg+xml;base64,'));
    assert.equal(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8'), svg);
  });

  test('summary file name and clock', () => {
    assert.equal(summaryFileName('ABC234', new Date('2025-03-04T10:00:00Z')), 'socketlab-class-ABC234-2025-03-04.csv');
    assert.equal(summaryFileName('../x', new Date('2025-03-04T10:00:00Z')), 'socketlab-class-x-2025-03-04.csv');
    assert.match(clock(Date.UTC(2025, 0, 1, 12, 34, 56)), /34.56/);
  });
});
