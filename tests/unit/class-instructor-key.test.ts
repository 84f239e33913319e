/**
 * The instructor key, from what an instructor pastes (app/_lib/class/instructor-key.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyFromHash, parseInstructorKey } from '../../app/_lib/class/instructor-key.ts';

const KEY = 'key_ABCDEFGHIJKLMNOP_1234';

describe('instructor key', () => {
  test('from the fragment of the printed URL, the fragment alone, or the bare key', () => {
    assert.equal(parseInstructorKey(`http://192.168.1.20:3000/class/instructor#key=${KEY}`), KEY);
    assert.equal(parseInstructorKey(`  #key=${KEY}\n`), KEY);
    assert.equal(parseInstructorKey(`key=${KEY}`), KEY);
    assert.equal(parseInstructorKey(KEY), KEY);
    assert.equal(keyFromHash(`#key=${KEY}&x=1`), KEY);
  });

  test('anything that is not a key is refused', () => {
    for (const s of ['', 'http://host/class/instructor', 'http://host/class/instructor#key=', '#key=short', 'key=with spaces in it here', 'short', `${KEY} extra`]) {
      assert.equal(parseInstructorKey(s), null, s);
    }
  });
});
