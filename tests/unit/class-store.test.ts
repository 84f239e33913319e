/**
 * Which class this browser is in (app/_lib/class/class-store.ts): the stored membership is
 * user-editable, so anything but a well-formed entry reads as "not in a class".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { JoinCodeSchema, TokenSchema } from '../../server/protocol/class.ts';
import {
  CLASS_STORE_KEY,
  classTokenForLab,
  forgetMembership,
  parseMembership,
  readMembership,
  saveMembership,
  type ClassMembership,
} from '../../app/_lib/class/class-store.ts';

const TOKEN = 'tok_abcdefghijklmnop';

// ---------------------------------------------------------------------------------------
// The stored membership

class MemoryStorage {
  private readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.has(k) ? this.map.get(k)! : null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, String(v));
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

describe('class-store', () => {
  const good = { token: TOKEN, nickname: 'Ada', code: 'ABC234' };

  test('a well-formed entry is read back; the nickname is trimmed', () => {
    assert.deepEqual(parseMembership(JSON.stringify(good)), good);
    assert.deepEqual(parseMembership(JSON.stringify({ ...good, nickname: '  Ada  ', extra: 1 })), good);
  });

  test('anything else means "not in a class"', () => {
    const bad: unknown[] = [
      null,
      '',
      'not json',
      '[]',
      'null',
      '42',
      JSON.stringify([good]),
      JSON.stringify({ ...good, token: 'short' }),
      JSON.stringify({ ...good, token: 'has spaces in it, sixteen+' }),
      JSON.stringify({ ...good, token: 7 }),
      JSON.stringify({ ...good, code: 'abc234' }),
      JSON.stringify({ ...good, code: 'ABC-234' }),
      JSON.stringify({ ...good, code: 'ABCO12' }),
      JSON.stringify({ ...good, nickname: '   ' }),
      JSON.stringify({ ...good, nickname: 'x'.repeat(33) }),
      JSON.stringify({ ...good, nickname: null }),
      JSON.stringify({ ...good, nickname: 'Ada\u202e' }), // a bidi override: NicknameSchema refuses it
      JSON.stringify({ nickname: 'Ada', code: 'ABC234' }),
    ];
    for (const raw of bad) assert.equal(parseMembership(raw as string | null), null, String(raw));
  });

  test('it takes a token exactly when the protocol\'s TokenSchema does', () => {
    const tokenChars = fc.constantFrom(...'abcXYZ019_-+/= .'.split(''));
    const stored = (token: string) => parseMembership(JSON.stringify({ ...good, token })) !== null;
    fc.assert(
      fc.property(fc.string({ unit: tokenChars, minLength: 0, maxLength: 70 }), (s) => stored(s) === TokenSchema.safeParse(s).success),
      { numRuns: 500 },
    );
  });

  test('it takes exactly the codes JoinCodeSchema gives back', () => {
    const codeChars = fc.constantFrom(...'23456789ABCDEFGHJKMNPQRSTUVWXYZ01ILOabc-'.split(''));
    const stored = (code: string) => parseMembership(JSON.stringify({ ...good, code })) !== null;
    fc.assert(
      fc.property(fc.string({ unit: codeChars, minLength: 4, maxLength: 8 }), (s) => {
        const parsed = JoinCodeSchema.safeParse(s);
        return stored(s) === (parsed.success && parsed.data === s);
      }),
      { numRuns: 1000 },
    );
  });

  test('save, read, forget through localStorage; broken storage reads as none', () => {
    const storage = new MemoryStorage();
    const g = globalThis as unknown as { localStorage?: MemoryStorage };
    const before = g.localStorage;
    g.localStorage = storage;
    try {
      assert.equal(readMembership(), null);
      assert.equal(classTokenForLab(), null);
      saveMembership({ ...good, extra: 'dropped' } as ClassMembership);
      assert.deepEqual(JSON.parse(storage.getItem(CLASS_STORE_KEY)!), good);
      assert.deepEqual(readMembership(), good);
      assert.equal(readMembership(), readMembership(), 'the same value while storage is unchanged (useSyncExternalStore needs that)');
      assert.equal(classTokenForLab(), TOKEN);
      storage.setItem(CLASS_STORE_KEY, '{"token":');
      assert.equal(readMembership(), null);
      saveMembership(good);
      forgetMembership();
      assert.equal(storage.getItem(CLASS_STORE_KEY), null);
      assert.equal(classTokenForLab(), null);
    } finally {
      g.localStorage = before;
    }
  });
});
