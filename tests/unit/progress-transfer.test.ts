/**
 * Progress that travels (app/_lib/progress-transfer.ts): a code or a file made in one browser
 * brings the same progress into another, a mistyped code is caught, hostile files are cleaned, and
 * an import merges with what is there instead of throwing it away.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import type { Progress } from '../../app/_lib/progress.ts';
import { mergeProgress, progressCode, progressFile, readProgressCode, readProgressFile, summarize } from '../../app/_lib/progress-transfer.ts';

const T = 1_700_000_000_000;
const MINE: Progress = {
  networks: { read: T },
  sockets: { read: T + 1, quiz: { score: 4, total: 5, passed: true, at: T + 2 } },
  'server-side': { quiz: { score: 1, total: 5, passed: false, at: T + 3 } },
  'chat-capstone': { read: T + 4, quiz: { score: 15, total: 15, passed: true, at: T + 5 } },
};
const withoutTimes = (p: Progress) => JSON.parse(JSON.stringify(p, (k, v) => (k === 'read' ? true : k === 'at' ? 0 : v)));

describe('the progress code', () => {
  test('round trip: the same lessons read and the same quiz results', () => {
    const code = progressCode(MINE)!;
    assert.match(code, /^SL(-[0-9A-HJKMNP-TV-Z]{1,4})+$/);
    assert.ok(code.length <= 50, `short: ${code}`);
    const r = readProgressCode(code, T + 99);
    assert.ok(r.ok);
    assert.deepEqual(withoutTimes(r.progress), withoutTimes(MINE));
    assert.equal(r.progress.networks.read, T + 99, 'read "now" on this side');
  });

  test('typed loosely: lower case, spaces, I/L for 1, O for 0', () => {
    const code = progressCode(MINE)!;
    const loose = code.toLowerCase().replace(/-/g, ' ').replace(/1/g, 'l').replace(/0/g, 'o');
    assert.ok(readProgressCode(loose).ok);
  });

  test('empty progress has a code too, and it reads back empty', () => {
    const r = readProgressCode(progressCode({})!);
    assert.ok(r.ok);
    assert.deepEqual(r.progress, {});
  });

  test('a typo, a cut or garbage is refused, never half-imported', () => {
    const code = progressCode(MINE)!;
    const last = code.at(-1)!;
    const typo = code.slice(0, -1) + (last === 'A' ? 'B' : 'A');
    for (const bad of [typo, code.slice(0, -3), `${code}77`, 'hello', '', 'SL-', 'SL-UUUU']) {
      const r = readProgressCode(bad);
      assert.ok(!r.ok, `refused: ${JSON.stringify(bad)}`);
    }
  });

  test('says which: a mistyped character is a typo, a foreign character is not a code at all', () => {
    const code = progressCode(MINE)!;
    // Every character but the check byte's own, changed to another code character: a typo, not garbage.
    for (let i = 3; i < code.length; i++) {
      if (code[i] === '-') continue;
      const typo = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
      const r = readProgressCode(typo);
      assert.ok(!r.ok && /typo/.test(r.message), `${typo}: ${r.ok ? 'accepted' : r.message}`);
    }
    for (const bad of ['SL-UUUU', `${code}!`, 'SL-ÄBCD']) {
      const r = readProgressCode(bad);
      assert.ok(!r.ok && /not a progress code/.test(r.message), `${bad}: ${r.ok ? 'accepted' : r.message}`);
    }
  });

  test('a quiz too long for a code: no code (the file carries it)', () => {
    assert.equal(progressCode({ networks: { quiz: { score: 16, total: 20, passed: true, at: T } } }), null);
  });
});

describe('the progress file', () => {
  test('round trip, this course\'s lessons only', () => {
    const r = readProgressFile(progressFile({ ...MINE, 'not-a-lesson': { read: T } }));
    assert.ok(r.ok);
    assert.deepEqual(r.progress, MINE);
  });

  test('hostile or foreign files', () => {
    assert.ok(!readProgressFile('nope').ok);
    assert.ok(!readProgressFile('{"format":"other","version":1}').ok);
    assert.ok(!readProgressFile(JSON.stringify({ format: 'socketlab-progress', version: 9, progress: {} })).ok);
    assert.ok(!readProgressFile(' '.repeat(300 * 1024)).ok);
    const r = readProgressFile(JSON.stringify({ format: 'socketlab-progress', version: 1, progress: { networks: { read: 'yesterday', quiz: { score: 1, total: 0, passed: true, at: 1 } }, sockets: { read: T }, __proto__: { read: T } } }));
    assert.ok(r.ok);
    assert.deepEqual(r.progress, { sockets: { read: T } });
  });
});

describe('merging an import', () => {
  test('read stays read (earliest time); each quiz keeps the better result', () => {
    const theirs: Progress = {
      networks: { read: T - 50 },
      'server-side': { quiz: { score: 4, total: 5, passed: true, at: T + 9 } },
      sockets: { quiz: { score: 2, total: 5, passed: false, at: T + 9 } },
      protocols: { read: T + 7 },
    };
    const merged = mergeProgress(MINE, theirs);
    assert.equal(merged.networks.read, T - 50);
    assert.equal(merged['server-side'].quiz?.passed, true, 'a pass beats a fail');
    assert.equal(merged.sockets.quiz?.score, 4, 'a worse result does not replace a better one');
    assert.equal(merged.sockets.read, T + 1, 'what only this browser had stays');
    assert.equal(merged.protocols.read, T + 7, 'what only the import had comes in');
    assert.deepEqual(summarize(merged), { read: 4, passed: 3 });
  });

  test('the code knows how many lessons the course has', () => {
    assert.equal(LESSON_SLUGS.length, 18);
  });
});
