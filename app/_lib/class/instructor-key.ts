/**
 * The instructor's key. The terminal prints `http://HOST:PORT/class/instructor#key=<key>`: the key
 * rides in the fragment so it never reaches server logs or Referer headers. The page moves it into
 * sessionStorage (this tab only, gone when the tab closes) and takes it out of the address bar.
 */
import { TokenSchema } from '@/server/protocol/class';

const isKey = (s: string) => TokenSchema.safeParse(s).success;

const SESSION_KEY = 'socketlab:class:instructor';

/** The key from a `#key=…` fragment (with or without the #), or null. */
export function keyFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const key = params.get('key')?.trim() ?? '';
  return isKey(key) ? key : null;
}

/** What an instructor pastes: the whole instructor URL, its `#key=…` part, or the bare key. */
export function parseInstructorKey(input: string): string | null {
  const text = input.trim();
  const hashAt = text.indexOf('#');
  if (hashAt >= 0) return keyFromHash(text.slice(hashAt));
  if (text.startsWith('key=')) return keyFromHash(text);
  return isKey(text) ? text : null;
}

export function readStoredKey(): string | null {
  try {
    const key = sessionStorage.getItem(SESSION_KEY);
    return key && isKey(key) ? key : null;
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(SESSION_KEY, key);
  } catch {
    /* storage disabled: the key lives in this page only */
  }
}

export function forgetStoredKey(): void {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* nothing stored */
  }
}

/**
 * On page load: a key in the address bar wins and is stored, and the fragment is removed (so a
 * screenshot, a shared screen or a bookmark does not carry it); otherwise the stored one.
 */
export function takeKeyFromLocation(): string | null {
  const fromHash = keyFromHash(location.hash);
  if (fromHash) {
    storeKey(fromHash);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromHash;
  }
  if (location.hash.includes('key=')) history.replaceState(history.state, '', location.pathname + location.search);
  return readStoredKey();
}
