/**
 * The learner's progress, kept in this browser only (localStorage): which lessons were read, how
 * each quiz went, and which challenges the lab found met. A tiny external store so every component sees the same value, across tabs too.
 */
import { useSyncExternalStore } from 'react';
import * as z from 'zod/mini';
import { ChallengeIdSchema, type ChallengeId } from '@/server/protocol/challenges';

const KEY = 'socketlab:progress:v1';

// What a well-formed stored entry holds (zod's numbers are finite; unknown keys are not carried over).
const ReadSchema = z.number();
const QuizResultSchema = z.object({ score: z.number(), total: z.number().check(z.positive()), passed: z.boolean(), at: z.number() });
/** A plain object (not an array, not null): the stored progress itself, and each lesson's entry. */
const EntriesSchema = z.record(z.string(), z.unknown());
/** When each challenge of the lesson was first passed (ms since the epoch). */
const PassedAtSchema = z.number();

export type QuizResult = z.infer<typeof QuizResultSchema>;
export interface LessonProgress {
  read?: number;
  quiz?: QuizResult;
  /** Challenges passed: id → when the lab first found it met. */
  challenges?: Partial<Record<ChallengeId, number>>;
}
export type Progress = Record<string, LessonProgress>;

/**
 * Storage is user-editable: keep only well-formed entries rather than trusting what is there. A
 * field of the wrong shape is dropped and the rest of its lesson's entry kept, so one bad quiz result
 * does not forget that the lesson was read.
 */
export function sanitizeProgress(value: unknown): Progress {
  const stored = EntriesSchema.safeParse(value);
  if (!stored.success) return {};
  const out: Progress = {};
  for (const [slug, entry] of Object.entries(stored.data)) {
    const fields = EntriesSchema.safeParse(entry);
    if (!fields.success || slug === '__proto__') continue;
    const read = ReadSchema.safeParse(fields.data.read);
    const quiz = QuizResultSchema.safeParse(fields.data.quiz);
    const lp: LessonProgress = {};
    if (read.success) lp.read = read.data;
    if (quiz.success) lp.quiz = quiz.data;
    const challenges = sanitizeChallenges(fields.data.challenges);
    if (challenges) lp.challenges = challenges;
    out[slug] = lp;
  }
  return out;
}

/** Known challenge ids with a time; anything else is dropped. Undefined when none is left. */
function sanitizeChallenges(value: unknown): LessonProgress['challenges'] {
  const stored = EntriesSchema.safeParse(value);
  if (!stored.success) return undefined;
  const out: Partial<Record<ChallengeId, number>> = {};
  for (const [id, at] of Object.entries(stored.data)) {
    const known = ChallengeIdSchema.safeParse(id);
    const when = PassedAtSchema.safeParse(at);
    if (known.success && when.success) out[known.data] = when.data;
  }
  return Object.keys(out).length ? out : undefined;
}

const EMPTY: Progress = Object.freeze({}) as Progress;
const listeners = new Set<() => void>();
let cachedRaw: string | null | undefined;
let cachedValue: Progress = EMPTY;

function read(): Progress {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return EMPTY; // storage disabled (private mode, file://): progress simply isn't kept
  }
  if (raw === cachedRaw) return cachedValue;
  cachedRaw = raw;
  if (!raw) return (cachedValue = EMPTY);
  try {
    cachedValue = sanitizeProgress(JSON.parse(raw));
  } catch {
    cachedValue = EMPTY;
  }
  return cachedValue;
}

function write(next: Progress | null): void {
  try {
    if (next === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    /* storage full or disabled: keep going without saving */
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY || e.key === null) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useProgress(): Progress {
  return useSyncExternalStore(subscribe, read, () => EMPTY);
}

export function markRead(slug: string): void {
  const cur = read();
  if (cur[slug]?.read) return;
  write({ ...cur, [slug]: { ...cur[slug], read: Date.now() } });
}

export function saveQuizResult(slug: string, result: QuizResult): void {
  const cur = read();
  write({ ...cur, [slug]: { ...cur[slug], quiz: result } });
}

/** The lab found a challenge met: kept with its lesson (the first time counts; passing again changes nothing). */
export function saveChallengePassed(slug: string, id: ChallengeId, at = Date.now()): void {
  const cur = read();
  if (cur[slug]?.challenges?.[id]) return;
  write({ ...cur, [slug]: { ...cur[slug], challenges: { ...cur[slug]?.challenges, [id]: at } } });
}

export function resetProgress(): void {
  write(null);
}

/** The learner takes back "read": the lesson counts as unread again (its quiz result stays). */
export function unmarkRead(slug: string): void {
  const cur = read();
  if (!cur[slug]?.read) return;
  const { read: _read, ...rest } = cur[slug];
  write({ ...cur, [slug]: rest });
}

/** Replaces the stored progress with a merged one (an import), cleaned first like anything stored. */
export function importProgress(merge: (current: Progress) => Progress): Progress {
  const next = sanitizeProgress(merge(read()));
  write(next);
  return next;
}
