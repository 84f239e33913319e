/** Count-dependent text (app/_lib/plural.ts): never "1 quizzes". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, NOUNS, plural } from '../../app/_lib/plural.ts';

test('one and other forms by the count', () => {
  assert.equal(count(0, NOUNS.quiz), '0 quizzes');
  assert.equal(count(1, NOUNS.quiz), '1 quiz');
  assert.equal(count(2, NOUNS.quiz), '2 quizzes');
  assert.equal(count(1, NOUNS.byte), '1 byte');
  assert.equal(count(13, NOUNS.lesson), '13 lessons');
  assert.equal(plural(1, NOUNS.connection), 'connection');
  assert.equal(plural(1.5, NOUNS.second), 'seconds');
  assert.equal(plural(-1, NOUNS.step), 'step');
});
