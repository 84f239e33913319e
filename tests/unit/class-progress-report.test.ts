/**
 * The learner's progress as reported to the class (app/_lib/class/progress-report.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { ClassClientMessageSchema } from '../../server/protocol/class.ts';
import { toProgressReport } from '../../app/_lib/class/progress-report.ts';

describe('toProgressReport', () => {
  test('every lesson, in course order, with read as a boolean and the quiz or null', () => {
    const r = toProgressReport({
      networks: { read: 1700000000000 },
      protocols: { read: 1, quiz: { score: 4, total: 5, passed: true, at: 2 } },
      sockets: { quiz: { score: 1, total: 5, passed: false, at: 3 } },
      'not-a-lesson': { read: 5 },
    });
    assert.deepEqual(Object.keys(r), [...LESSON_SLUGS]);
    assert.deepEqual(r.networks, { read: true, quiz: null });
    assert.deepEqual(r.protocols, { read: true, quiz: { score: 4, total: 5, passed: true } });
    assert.deepEqual(r.sockets, { read: false, quiz: { score: 1, total: 5, passed: false } });
    assert.deepEqual(r['what-is-a-socket-program'], { read: false, quiz: null });
    assert.equal('not-a-lesson' in r, false);
  });

  test('quiz results the server would refuse are left out, and the message always validates', () => {
    const odd = [
      { score: 6, total: 5 },
      { score: 1.5, total: 5 },
      { score: 1, total: 0 },
      { score: 1, total: 101 },
      { score: -1, total: 5 },
      { score: Number.NaN, total: 5 },
    ];
    for (const q of odd) {
      const r = toProgressReport({ networks: { read: 1, quiz: { ...q, passed: true, at: 1 } } });
      assert.equal(r.networks.quiz, null, JSON.stringify(q));
    }
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...LESSON_SLUGS, 'x', '__proto__'), fc.record({ read: fc.option(fc.double(), { nil: undefined }), quiz: fc.option(fc.record({ score: fc.integer({ min: -5, max: 120 }), total: fc.integer({ min: -5, max: 120 }), passed: fc.boolean(), at: fc.nat() }), { nil: undefined }) })),
        (progress) => {
          const msg = { type: 'progress', lessons: toProgressReport(progress as never) };
          return ClassClientMessageSchema.safeParse(msg).success;
        },
      ),
      { numRuns: 300 },
    );
  });
});
