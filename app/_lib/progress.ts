/**
 * The learner's progress, kept in this browser only (localStorage): which lessons were read and how
 * each quiz went. A tiny external store so every component sees the same value, across tabs too.
 */
import { useSyncExternalStore } from 'react';

const KEY = 'socketlab:progress:v1';

export interface QuizResult {
  score: number;
  total: number;
  passed: boolean;
  at: number;
}
export interface LessonProgress {
  read?: number;
  quiz?: QuizResult;
}
export type Progress = Record<string, LessonProgress>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Storage is user-editable: keep only well-formed entries rather than trusting what is there. */
export function sanitizeProgress(value: unknown): Progress {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Progress = {};
  for (const [slug, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || slug === '__proto__') continue;
    const e = entry as Record<string, unknown>;
    const lp: LessonProgress = {};
    if (isNum(e.read)) lp.read = e.read;
    const q = e.quiz as Record<string, unknown> | undefined;
    if (q && isNum(q.score) && isNum(q.total) && q.total > 0 && typeof q.passed === 'boolean' && isNum(q.at)) {
      lp.quiz = { score: q.score, total: q.total, passed: q.passed, at: q.at };
    }
    out[slug] = lp;
  }
  return out;
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
