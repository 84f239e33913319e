/**
 * A passed challenge in the learner's progress (issue 18): kept from storage only when well formed,
 * merged by an import, carried by the class progress report, and drawn in the instructor's matrix.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sanitizeProgress } from '../../app/_lib/progress.ts';
import { mergeProgress, progressFile, readProgressFile } from '../../app/_lib/progress-transfer.ts';
import { toProgressReport } from '../../app/_lib/class/progress-report.ts';
import { matrixCell } from '../../app/_lib/class/format.ts';
import { LessonProgressReportSchema } from '../../server/protocol/class.ts';

describe('challenges in progress', () => {
  test('sanitizeProgress keeps known ids with a time, drops the rest, and keeps the lesson\'s other fields', () => {
    const p = sanitizeProgress({
      firewalls: { read: 5, challenges: { 'block-phone': 10, 'made-up': 11, 'echo-41234': 'yesterday' } },
      'server-side': { read: 7, challenges: ['echo-41234'] },
    });
    assert.deepEqual(p.firewalls, { read: 5, challenges: { 'block-phone': 10 } });
    assert.deepEqual(p['server-side'], { read: 7 });
  });

  test('a lesson with only a challenge passed travels in the progress file', () => {
    const file = progressFile({ firewalls: { challenges: { 'block-phone': 10 } } });
    const back = readProgressFile(file);
    assert.ok(back.ok);
    assert.deepEqual(back.progress, { firewalls: { challenges: { 'block-phone': 10 } } });
  });

  test('merging keeps every challenge passed in either browser, at the earlier time', () => {
    const merged = mergeProgress(
      { firewalls: { read: 1, challenges: { 'block-phone': 50 } } },
      { firewalls: { challenges: { 'block-phone': 20 } }, 'server-side': { challenges: { 'echo-41234': 30 } } },
    );
    assert.deepEqual(merged.firewalls, { read: 1, challenges: { 'block-phone': 20 } });
    assert.deepEqual(merged['server-side'], { challenges: { 'echo-41234': 30 } });
  });

  test('the class report lists the ids passed, and the server\'s schema accepts it', () => {
    const report = toProgressReport({ firewalls: { read: 1, challenges: { 'block-phone': 20 } } });
    assert.deepEqual(report.firewalls, { read: true, quiz: null, challenges: ['block-phone'] });
    assert.equal(report.networks?.challenges, undefined);
    assert.ok(LessonProgressReportSchema.safeParse(report.firewalls).success);
    assert.equal(LessonProgressReportSchema.safeParse({ read: true, quiz: null, challenges: ['made-up'] }).success, false);
  });

  test('the matrix cell adds ★ and the count, and says it to a screen reader', () => {
    assert.deepEqual(matrixCell({ read: true, quiz: { score: 4, total: 5, passed: true }, challenges: ['block-phone'] }), {
      text: '✓ 4/5 ★1',
      label: 'read, quiz 4 of 5, passed, 1 challenge passed',
      tone: 'passed',
    });
    assert.deepEqual(matrixCell({ read: false, quiz: null, challenges: ['block-phone'] }), { text: '★1', label: '1 challenge passed', tone: 'read' });
    assert.deepEqual(matrixCell({ read: true, quiz: null }), { text: '✓', label: 'read', tone: 'read' });
  });
});
