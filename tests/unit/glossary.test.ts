/**
 * The glossary (app/_lib/glossary.ts): every errno the lab explains and every state the kernel view
 * shows has an entry; each entry's lesson really talks about it and its scenario exists; terms are
 * found in running text as whole words, ss's spellings included.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { TCP_STATES } from '../../server/protocol/index.ts';
import { ERRNO_MEANINGS, STATE_MEANINGS } from '../../server/protocol/meanings.ts';
import { GLOSSARY, glossaryEntry, searchGlossary, splitTerms } from '../../app/_lib/glossary.ts';
import { SCENARIOS } from '../../content/scenarios/index.ts';

describe('glossary entries', () => {
  test('every errno meaning and every kernel state is a term, with a meaning and a cause', () => {
    for (const term of [...Object.keys(ERRNO_MEANINGS), ...TCP_STATES]) {
      const e = glossaryEntry(term);
      assert.ok(e, `${term} is in the glossary`);
      assert.ok(e.meaning.length > 10 && e.cause.length > 5, `${term} has words`);
    }
    assert.deepEqual(Object.keys(STATE_MEANINGS).sort(), [...TCP_STATES].sort(), 'a meaning for each state, and no others');
    assert.equal(new Set(GLOSSARY.map((e) => e.term)).size, GLOSSARY.length, 'no term twice');
  });

  test('the lesson a term links to mentions it, and its scenario exists', () => {
    for (const e of GLOSSARY) {
      if (e.lesson) {
        const source = readFileSync(new URL(`../../content/${e.lesson}.mdx`, import.meta.url), 'utf8');
        const spellings = [e.term, e.term.replace(/_/g, '-')];
        assert.ok(spellings.some((s) => new RegExp(`\\b${s}\\b`).test(source)), `content/${e.lesson}.mdx mentions ${e.term}`);
      }
      if (e.scenario) assert.ok(SCENARIOS[e.scenario], `${e.term}: scenario ${e.scenario} exists`);
    }
  });

  test('an errno linked to a scenario is one the scenario expects from the kernel', () => {
    for (const e of GLOSSARY.filter((x) => x.kind === 'errno' && x.scenario)) {
      assert.ok(SCENARIOS[e.scenario!].steps.some((s) => s.expect === e.term), `${e.scenario} expects ${e.term}`);
    }
  });
});

describe('finding terms in text', () => {
  test('whole words only, longest first, ss spellings too', () => {
    assert.deepEqual(splitTerms('CLOSE-WAIT: the peer sent FIN; NEW_SYN_RECV is not SYN_RECV.'), [
      { term: 'CLOSE-WAIT' },
      ': the peer sent FIN; ',
      { term: 'NEW_SYN_RECV' },
      ' is not ',
      { term: 'SYN_RECV' },
      '.',
    ]);
    assert.equal(glossaryEntry('CLOSE-WAIT')?.term, 'CLOSE_WAIT');
    assert.equal(glossaryEntry('ESTAB')?.term, 'ESTABLISHED');
  });

  test('no match inside longer words or names', () => {
    assert.deepEqual(splitTerms('XEADDRINUSE EADDRINUSE_X CLOSED LISTENER'), ['XEADDRINUSE EADDRINUSE_X CLOSED LISTENER']);
    assert.deepEqual(splitTerms(''), []);
  });

  test('search matches the term or any word of its meaning', () => {
    assert.deepEqual(searchGlossary('time_wait', GLOSSARY).map((e) => e.term), ['TIME_WAIT']);
    const refused = searchGlossary('refused', GLOSSARY).map((e) => e.term);
    assert.ok(refused.includes('ECONNREFUSED'));
    assert.equal(searchGlossary('  ', GLOSSARY).length, GLOSSARY.length);
    assert.deepEqual(searchGlossary('no such words here', GLOSSARY), []);
  });
});
