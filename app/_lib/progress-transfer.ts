/**
 * Progress that travels without an account: a JSON file, or a short code to type or paste into
 * another browser. Both are untrusted when they come back: size-capped, checked, and cleaned by
 * sanitizeProgress; only lessons of this course are kept.
 *
 * The code packs, for each lesson in course order, whether it was read and its quiz result
 * (score and total, at most 15 each, and whether it passed), then a check byte, in Crockford
 * base32 (no I, L, O or U to misread) in groups of four: SL-1D2K-….
 */
import { LESSON_SLUGS } from '@/content/lessons';
import { sanitizeProgress, type LessonProgress, type Progress } from './progress';

export const PROGRESS_FORMAT = 'socketlab-progress';
export const PROGRESS_VERSION = 1;
const MAX_FILE_BYTES = 256 * 1024;
const CODE_VERSION = 1;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type Imported = { ok: true; progress: Progress } | { ok: false; message: string };

/** Keeps only this course's lessons. */
function courseOnly(p: Progress): Progress {
  const out: Progress = {};
  for (const slug of LESSON_SLUGS) if (p[slug] && (p[slug].read || p[slug].quiz || p[slug].challenges)) out[slug] = p[slug];
  return out;
}

export function progressFile(progress: Progress, now = new Date()): string {
  return JSON.stringify({ format: PROGRESS_FORMAT, version: PROGRESS_VERSION, exportedAt: now.toISOString(), progress: courseOnly(progress) }, null, 1);
}

export function readProgressFile(text: string): Imported {
  if (text.length > MAX_FILE_BYTES) return { ok: false, message: 'This file is too big to be a progress file.' };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, message: 'This is not a progress file: it is not JSON.' };
  }
  const d = data as { format?: unknown; version?: unknown; progress?: unknown } | null;
  if (!d || typeof d !== 'object' || d.format !== PROGRESS_FORMAT) return { ok: false, message: 'This JSON is not a Socket Lab progress file.' };
  if (typeof d.version !== 'number' || d.version > PROGRESS_VERSION) return { ok: false, message: 'This progress file comes from a newer Socket Lab.' };
  return { ok: true, progress: courseOnly(sanitizeProgress(d.progress)) };
}

// ---------------------------------------------------------------------------------------------
// The short code

function checkByte(bytes: readonly number[]): number {
  // FNV-1a, folded to 8 bits: catches a mistyped character.
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff;
}

function toBase32(bytes: readonly number[]): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): number[] | null {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) return null;
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  // The last character's spare bits are zero in a code this file made: a typo there shows.
  return value === 0 ? bytes : null;
}

function masks(n: number): number[] {
  return new Array<number>(Math.ceil(n / 8)).fill(0);
}

/** The progress code, or null when a quiz has more than 15 questions (then use the file). */
export function progressCode(progress: Progress): string | null {
  const n = LESSON_SLUGS.length;
  const read = masks(n);
  const quiz = masks(n);
  const passed = masks(n);
  const scores: number[] = [];
  for (const [i, slug] of LESSON_SLUGS.entries()) {
    const p = progress[slug];
    if (p?.read) read[i >> 3] |= 1 << (i & 7);
    if (p?.quiz) {
      if (p.quiz.total > 15 || p.quiz.score > 15 || p.quiz.score < 0) return null;
      quiz[i >> 3] |= 1 << (i & 7);
      if (p.quiz.passed) passed[i >> 3] |= 1 << (i & 7);
      scores.push((p.quiz.score << 4) | p.quiz.total);
    }
  }
  const body = [CODE_VERSION, n, ...read, ...quiz, ...passed, ...scores];
  const text = toBase32([...body, checkByte(body)]);
  return `SL-${text.match(/.{1,4}/g)!.join('-')}`;
}

/** Reads a progress code as typed: case, spaces and dashes do not matter; I and L read as 1, O as 0. */
export function readProgressCode(code: string, now = Date.now()): Imported {
  const cleaned = code.trim().toUpperCase().replace(/^SL[-\s]*/, '').replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (!cleaned || cleaned.length > 200) return { ok: false, message: 'Paste the whole code: it starts with SL-.' };
  if (!/^[0-9A-HJKMNP-TV-Z]+$/.test(cleaned)) return { ok: false, message: 'That is not a progress code: it has characters a code never has.' };
  const bytes = fromBase32(cleaned);
  if (!bytes || bytes.length < 3) return { ok: false, message: 'That code has a typo: check it against the original.' };
  const body = bytes.slice(0, -1);
  // Base32's last character may carry padding bits; a code one character short or long fails here.
  if (checkByte(body) !== bytes[bytes.length - 1]) return { ok: false, message: 'That code has a typo: check it against the original.' };
  const [version, n] = body;
  if (version !== CODE_VERSION) return { ok: false, message: 'This code comes from another version of Socket Lab.' };
  if (n !== LESSON_SLUGS.length) return { ok: false, message: 'This code was made for a course with a different number of lessons.' };
  const m = Math.ceil(n / 8);
  const read = body.slice(2, 2 + m);
  const quiz = body.slice(2 + m, 2 + 2 * m);
  const passed = body.slice(2 + 2 * m, 2 + 3 * m);
  const scores = body.slice(2 + 3 * m);
  const progress: Progress = {};
  let next = 0;
  for (const [i, slug] of LESSON_SLUGS.entries()) {
    const bit = 1 << (i & 7);
    const entry: LessonProgress = {};
    if (read[i >> 3] & bit) entry.read = now;
    if (quiz[i >> 3] & bit) {
      const b = scores[next++];
      if (b === undefined) return { ok: false, message: 'That code is cut short.' };
      const score = b >> 4;
      const total = b & 15;
      if (total === 0 || score > total) return { ok: false, message: 'That code has a typo: check it against the original.' };
      entry.quiz = { score, total, passed: Boolean(passed[i >> 3] & bit), at: now };
    }
    if (entry.read || entry.quiz) progress[slug] = entry;
  }
  if (next !== scores.length) return { ok: false, message: 'That code has a typo: check it against the original.' };
  return { ok: true, progress };
}

/**
 * Brings imported progress into this browser's: a lesson read in either stays read (from the
 * earlier time), and each quiz keeps the better result (passed over not, then the higher score).
 */
export function mergeProgress(mine: Progress, incoming: Progress): Progress {
  const out: Progress = { ...mine };
  for (const [slug, theirs] of Object.entries(incoming)) {
    const ours = mine[slug] ?? {};
    const merged: LessonProgress = { ...ours };
    if (theirs.read) merged.read = ours.read ? Math.min(ours.read, theirs.read) : theirs.read;
    if (theirs.quiz) {
      const a = ours.quiz;
      const b = theirs.quiz;
      const better = !a || (b.passed && !a.passed) || (b.passed === a.passed && b.score / b.total > a.score / a.total);
      merged.quiz = better ? b : a;
    }
    if (theirs.challenges) {
      // A challenge passed in either browser stays passed, from the earlier time.
      const challenges = { ...ours.challenges };
      for (const [id, at] of Object.entries(theirs.challenges) as [keyof typeof challenges, number][]) {
        const mineAt = challenges[id];
        challenges[id] = mineAt === undefined ? at : Math.min(mineAt, at);
      }
      merged.challenges = challenges;
    }
    out[slug] = merged;
  }
  return out;
}

/** "4 lessons read, 2 quizzes passed" for a message. */
export function summarize(p: Progress): { read: number; passed: number } {
  const entries = Object.values(p);
  return { read: entries.filter((e) => e.read).length, passed: entries.filter((e) => e.quiz?.passed).length };
}
