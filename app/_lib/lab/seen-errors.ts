/**
 * Which error codes this browser has already explained: the first time a learner meets an errno
 * its explanation opens by itself; after that it stays one click away. Kept in localStorage.
 */
const KEY = 'socketlab:seen-errors:v1';
const CODE = /^E[A-Z0-9_]{1,31}$/;

function load(): Set<string> {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(raw) ? raw.filter((c): c is string => typeof c === 'string' && CODE.test(c)).slice(0, 200) : []);
  } catch {
    return new Set(); // storage disabled or edited by hand: explain again
  }
}

/** True the first time this code is met in this browser (and remembers it). */
export function firstMeeting(code: string): boolean {
  const seen = load();
  if (seen.has(code)) return false;
  seen.add(code);
  try {
    localStorage.setItem(KEY, JSON.stringify([...seen]));
  } catch {
    /* not kept: it will open again next time, which is harmless */
  }
  return true;
}
