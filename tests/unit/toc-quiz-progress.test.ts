/**
 * Three small pieces of lesson logic: the table of contents, built from the outline that the lesson
 * pipeline exports (scripts/rehype-outline.mjs, app/_lib/toc.ts), quiz scoring (app/_lib/quiz.ts) and
 * the sanitising of progress read back from localStorage (app/_lib/progress.ts).
 * The TOC cases compile MDX with the site's own plugin list and render it, so each one also checks
 * that every TOC id is an id of the rendered page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import GithubSlugger from 'github-slugger';
import { SECTION_HEADINGS, type TocEntry } from '../../app/_lib/toc.ts';
import { PASS_RATIO, correctIndex, score } from '../../app/_lib/quiz.ts';
import type { QuizQuestion } from '../../content/quiz-schema.ts';
import { sanitizeProgress } from '../../app/_lib/progress.ts';
import { compileLesson } from '../helpers/lesson-mdx.ts';

const OBJECTIVES = SECTION_HEADINGS.objectives;
const md = (...lines: string[]) => lines.join('\n');
/** The entries after the fixed "What you will learn" one; every one of them is an id on the page. */
const after = async (mdx: string): Promise<TocEntry[]> => {
  const { toc, ids } = await compileLesson(mdx);
  assert.deepEqual(toc[0], OBJECTIVES, 'the objectives entry always comes first');
  for (const e of toc.slice(1)) assert.ok(ids.includes(e.id), `TOC id "${e.id}" is not an id of the rendered page (ids: ${ids.join(', ')})`);
  return toc.slice(1);
};

describe('the table of contents', () => {
  test('## headings in order; other levels ignored', async () => {
    const toc = await after(md('# Title', '## First part', 'text', '### A detail', '## Second part', '#### deeper', '##NoSpace'));
    assert.deepEqual(toc, [
      { id: 'first-part', text: 'First part' },
      { id: 'second-part', text: 'Second part' },
    ]);
  });

  test('ids are github-slugger\'s (what rehype-slug gives the headings)', async () => {
    const titles = ['What is a socket? (and why)', 'IPv4 & IPv6: 127.0.0.1 vs ::1', 'TIME_WAIT', 'Ünïcode héading'];
    const slugger = new GithubSlugger();
    assert.deepEqual(
      await after(titles.map((t) => `## ${t}`).join('\n\n')),
      titles.map((t) => ({ id: slugger.slug(t), text: t })),
    );
    // Spelled out, so a change in the slugger itself is noticed too.
    assert.equal((await after('## What is a socket? (and why)'))[0].id, 'what-is-a-socket-and-why');
  });

  test('inline markup is reduced to its text before slugging', async () => {
    assert.deepEqual(await after('## The `accept()` call, **really** in *one* [page](/learn/x)'), [
      { id: 'the-accept-call-really-in-one-page', text: 'The accept() call, really in one page' },
    ]);
  });

  test('emphasis with underscores, as the page has it (the old reader kept the underscores)', async () => {
    assert.deepEqual(await after('## Use _this_ now, __not__ later'), [{ id: 'use-this-now-not-later', text: 'Use this now, not later' }]);
  });

  test('character references are decoded before slugging, as on the page', async () => {
    assert.deepEqual(await after('## Ports &amp; sockets &#8212; &lt;b&gt;'), [{ id: 'ports--sockets--b', text: 'Ports & sockets — <b>' }]);
  });

  test('inline code keeps its text as written, markup-like characters included', async () => {
    assert.deepEqual(await after('## Parse `[a](b)` and `x_*y*_`'), [{ id: 'parse-ab-and-x_y_', text: 'Parse [a](b) and x_*y*_' }]);
  });

  test('a closing sequence of #s is not part of the text', async () => {
    assert.deepEqual(await after('## Closed ##'), [{ id: 'closed', text: 'Closed' }]);
  });

  test('duplicate headings get -1, -2 suffixes', async () => {
    assert.deepEqual((await after(md('## Ports', '', '## Ports', '', '## Ports'))).map((e) => e.id), ['ports', 'ports-1', 'ports-2']);
  });

  test('headings inside ``` and ~~~ code fences are ignored', async () => {
    const toc = await after(md('## Before', '```sh', '## not a heading', '<Quiz />', '```', '~~~', '## also not', '~~~', '## After'));
    assert.deepEqual(toc.map((e) => e.text), ['Before', 'After']);
  });

  test('a ``` line inside a ~~~ fence (and the reverse) does not end the fence', async () => {
    const toc = await after(md('~~~md', '```', '## inside tilde', '```', '## still inside', '~~~', '```', '~~~', '## inside backticks', '```', '## Out'));
    assert.deepEqual(toc.map((e) => e.text), ['Out']);
  });

  test('a longer ```` fence is not closed by a shorter ``` line inside it (nested backticks)', async () => {
    const toc = await after(md('````md', 'A code block in markdown:', '```js', '## Inside', '```', '````', '## After'));
    assert.deepEqual(toc.map((e) => e.text), ['After']);
  });

  test('frontmatter is skipped, even a YAML comment that looks like a heading', async () => {
    const toc = await after(md('---', 'title: A lesson', '## a YAML comment', 'order: 1', '---', '', '## Real'));
    assert.deepEqual(toc, [{ id: 'real', text: 'Real' }]);
  });

  test('a --- later in the file is a thematic break, not frontmatter', async () => {
    assert.deepEqual((await after(md('## One', '', '---', '', '## Two'))).map((e) => e.text), ['One', 'Two']);
  });

  test('CRLF line endings', async () => {
    assert.deepEqual(await after('---\r\ntitle: x\r\n---\r\n## Windows heading\r\n'), [{ id: 'windows-heading', text: 'Windows heading' }]);
  });

  test('<TryIt>, <Quiz> and <Recap> add their fixed entries where they appear', async () => {
    const toc = await after(md('## Intro', '', '<TryIt>', 'run this', '</TryIt>', '', '<Quiz questions={[]} />', '', '  <Recap>', '- a', '</Recap>'));
    assert.deepEqual(toc, [{ id: 'intro', text: 'Intro' }, SECTION_HEADINGS.TryIt, SECTION_HEADINGS.Quiz, SECTION_HEADINGS.Recap]);
    assert.deepEqual(
      [SECTION_HEADINGS.TryIt.id, SECTION_HEADINGS.Quiz.id, SECTION_HEADINGS.Recap.id],
      ['try-it-in-your-terminal', 'check-yourself', 'recap'],
    );
  });

  test('other tags, and tags with a longer name, do not add entries', async () => {
    // (A stray closing tag, which the old line reader had to skip, does not compile in MDX at all.)
    assert.deepEqual(await after(md('<Diagram src="x.svg" alt="a diagram" />', '', '<QuizBox />', '', '<RecapCard />')), []);
  });

  test('a heading closed by # that belongs to the text ("C#") keeps it', async () => {
    assert.deepEqual(await after('## Using C#'), [{ id: 'using-c', text: 'Using C#' }]);
  });

  test('an ATX heading indented by 1-3 spaces is still a heading', async () => {
    assert.deepEqual((await after(md('## Setup', '', '   ## Setup'))).map((e) => e.id), ['setup', 'setup-1']);
  });
});

describe('quiz scoring', () => {
  const q = (correct: number, n = 3): QuizQuestion => ({
    prompt: `pick ${correct}`,
    choices: Array.from({ length: n }, (_, i) => ({ text: `choice ${i}`, why: 'because', ...(i === correct ? { correct: true } : {}) })),
  });
  const ten = Array.from({ length: 10 }, (_, i) => q(i % 3));
  const answers = (rightCount: number) => ten.map((question, i) => (i < rightCount ? correctIndex(question) : (correctIndex(question) + 1) % 3));

  test('correctIndex is the choice marked correct: true', () => {
    assert.equal(correctIndex(q(0)), 0);
    assert.equal(correctIndex(q(2, 4)), 2);
    assert.equal(correctIndex({ prompt: 'none', choices: [{ text: 'a', why: 'b' }, { text: 'c', why: 'd', correct: false }] }), -1);
  });

  test('PASS_RATIO is 70%', () => {
    assert.equal(PASS_RATIO, 0.7);
  });

  test('exactly 70% (7 of 10) passes; 6 of 10 does not', () => {
    assert.deepEqual(score(ten, answers(7)), { right: 7, answered: 10, total: 10, complete: true, passed: true });
    assert.deepEqual(score(ten, answers(6)), { right: 6, answered: 10, total: 10, complete: true, passed: false });
  });

  test('2 of 3 (67%) fails, 3 of 3 passes', () => {
    const three = [q(0), q(1), q(2)];
    assert.equal(score(three, [0, 1, 0]).passed, false);
    assert.equal(score(three, [0, 1, 2]).passed, true);
  });

  test('an incomplete quiz is never passed, however many are right', () => {
    const all: (number | null)[] = answers(10);
    all[9] = null;
    assert.deepEqual(score(ten, all), { right: 9, answered: 9, total: 10, complete: false, passed: false });
    // A shorter answers array counts as unanswered too.
    assert.deepEqual(score(ten, all.slice(0, 5)), { right: 5, answered: 5, total: 10, complete: false, passed: false });
  });

  test('choice 0 is an answer, not "unanswered"', () => {
    assert.deepEqual(score([q(0)], [0]), { right: 1, answered: 1, total: 1, complete: true, passed: true });
  });

  test('an empty quiz is complete but not passed', () => {
    assert.equal(score([], []).passed, false);
  });
});

describe('sanitizeProgress', () => {
  const good = { read: 1_700_000_000_000, quiz: { score: 4, total: 5, passed: true, at: 1_700_000_100_000 } };

  test('good entries are kept as they are', () => {
    const value = { networks: good, sockets: { read: 5 }, firewalls: { quiz: { score: 0, total: 3, passed: false, at: 1 } } };
    assert.deepEqual(sanitizeProgress(value), value);
  });

  test('garbage at the top level gives empty progress', () => {
    for (const v of [null, undefined, 42, 'networks', true, [good], [], () => 1]) {
      assert.deepEqual(sanitizeProgress(v), {}, `for ${String(v)}`);
    }
  });

  test('entries that are not objects are dropped', () => {
    assert.deepEqual(sanitizeProgress({ a: null, b: 'read', c: 1, d: true, networks: good }), { networks: good });
  });

  test('fields of the wrong type are dropped, the rest of the entry kept', () => {
    assert.deepEqual(sanitizeProgress({ networks: { read: 'yesterday', quiz: good.quiz } }), { networks: { quiz: good.quiz } });
    assert.deepEqual(sanitizeProgress({ networks: { read: Number.NaN } }), { networks: {} });
    assert.deepEqual(sanitizeProgress({ networks: { read: Infinity } }), { networks: {} });
  });

  test('a quiz result with any bad field is dropped whole', () => {
    const bad = [
      { ...good.quiz, score: '4' },
      { ...good.quiz, total: 0 },
      { ...good.quiz, total: -2 },
      { ...good.quiz, passed: 'true' },
      { ...good.quiz, at: null },
      { score: 4, total: 5, passed: true },
      'passed',
      null,
    ];
    for (const quiz of bad) {
      assert.deepEqual(sanitizeProgress({ networks: { read: 7, quiz } }), { networks: { read: 7 } }, JSON.stringify(quiz));
    }
  });

  test('unknown fields are not carried over', () => {
    assert.deepEqual(sanitizeProgress({ networks: { read: 3, admin: true, quiz: { ...good.quiz, extra: '<script>' } } }), {
      networks: { read: 3, quiz: good.quiz },
    });
  });

  test('what JSON.parse of user-edited storage gives is handled', () => {
    const parsed = JSON.parse('{"networks":{"read":12},"sockets":[1,2],"x":"y"}');
    const out = sanitizeProgress(parsed);
    assert.deepEqual(out.networks, { read: 12 });
    assert.equal(out.x, undefined);
  });
});
