/**
 * The class's state of record: one async interface, two engines. SQLite (store/sqlite-store.ts)
 * is the embedded default, a file beside the server; PostgreSQL (store/postgres-store.ts) is for a
 * class served by several instances, which must all read the same roster, tokens, progress, join
 * code, open lesson and presenter. `--class-data` picks the engine (store/open-store.ts): a
 * `postgres://` URL, else a file path.
 *
 * Every method either did its work durably or rejects; an engine that cannot reach its database
 * rejects with StoreUnavailableError (E_STORE_UNAVAILABLE), which the hub turns into an answer
 * for the client and the progress batch into a retry.
 */
import { ChallengeIdSchema, type ChallengeId } from '../protocol/challenges.ts';
import type { LessonProgressReport } from '../protocol/class.ts';
import type { NicknameKeys } from './nickname.ts';

export interface StudentRow {
  id: number;
  token: string;
  nickname: string;
  joinedAt: number;
  lastSeen: number;
  labCalls: number;
  labErrors: number;
}

export interface ClassSettings {
  code: string;
  instructorKey: string;
  title: string;
  startedAt: number;
  endedAt: number | null;
  lesson: string | null;
  /** The watch token of the lab session the instructor presents, or null. */
  presenting: string | null;
}

export type Lessons = Record<string, LessonProgressReport>;

/** One batch of writes: the newest progress per student and lesson, and last-seen times. */
export interface StoreBatch {
  progress: Map<number, { lessons: Lessons; at: number }>;
  touches: Map<number, number>;
}

export type StoreEngine = 'sqlite' | 'postgres';

export interface ClassStore {
  readonly engine: StoreEngine;
  /** Where the class lives, for the start banner: a file path, or the URL without its password. */
  readonly location: string;

  // settings
  /** The class's settings, or null when no class was ever started in this store. */
  settings(): Promise<ClassSettings | null>;
  /** Starts a new class: forgets the previous roster, progress and settings, in one transaction. */
  startClass(s: Pick<ClassSettings, 'code' | 'instructorKey' | 'title' | 'startedAt'>): Promise<void>;
  /**
   * Stores a class only if none is stored yet (several instances starting at once make one class,
   * not one each). True when this call made it.
   */
  startClassIfNone(s: Pick<ClassSettings, 'code' | 'instructorKey' | 'title' | 'startedAt'>): Promise<boolean>;
  setInstructorKey(key: string): Promise<void>;
  setLesson(slug: string | null): Promise<void>;
  setPresenting(watchToken: string | null): Promise<void>;
  endClass(at: number): Promise<void>;

  // roster
  /** Adds a student; null when the nickname is taken (either key: server/class/nickname.ts). */
  addStudent(token: string, nickname: string, at: number, keys?: NicknameKeys): Promise<StudentRow | null>;
  studentByToken(token: string): Promise<StudentRow | null>;
  students(): Promise<StudentRow[]>;
  /** Adds lab-call counts gathered since the last flush (increments, so instances can share a row). */
  addLabCounts(counts: Map<number, { calls: number; errors: number }>): Promise<void>;

  // progress
  /** Writes a batch in one transaction: all of it is stored when this resolves, or none of it. */
  commitBatch(batch: StoreBatch): Promise<void>;
  /** Every student's stored progress, by student id. */
  progress(): Promise<Map<number, Lessons>>;
  /** One student's stored progress (empty when none). */
  progressOf(studentId: number): Promise<Lessons>;

  /** The schema version the store's migrations brought it to (each engine counts its own). */
  schemaVersion(): Promise<number>;

  close(): Promise<void>;
}

/**
 * The wrong-join-code limit (limits.ts) as the hub asks it: per address key, shared by every
 * instance when they share one (the redis helper backs it with Redis); in memory otherwise.
 */
export interface WrongCodeLimit {
  /** True when the address may not have a code checked now (asked before the code is compared). */
  mustWait(key: string, now?: number): Promise<boolean>;
  /** A wrong code from the address. */
  wrongCode(key: string, now?: number): Promise<void>;
}

/** The store's database cannot be reached (or refused the work) just now: try again later. */
export class StoreUnavailableError extends Error {
  readonly code = 'E_STORE_UNAVAILABLE';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`The class database is not reachable just now (${reason}).`, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Why a class store could not be opened at start; the code says which (docs/hosting.md). */
export type StoreStartCode = 'E_CLASS_DATA_URL' | 'E_CLASS_DATA_AUTH' | 'E_CLASS_DATA_UNREACHABLE' | 'E_CLASS_DATA_SCHEMA';

export class StoreStartError extends Error {
  constructor(
    readonly code: StoreStartCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreStartError';
  }
}

/**
 * Reads a stored student row (id, token, nickname, joined_at, last_seen, lab_calls, lab_errors) as
 * both engines return it: untyped, and PostgreSQL's bigint columns as strings.
 */
export function studentFromRow(r: Readonly<Record<string, unknown>>): StudentRow {
  return {
    id: Number(r.id),
    token: String(r.token),
    nickname: String(r.nickname),
    joinedAt: Number(r.joined_at),
    lastSeen: Number(r.last_seen),
    labCalls: Number(r.lab_calls),
    labErrors: Number(r.lab_errors),
  };
}

/** The class's settings from its stored key/value rows (both engines keep them so); null before a class is started. */
export function settingsFromRows(rows: readonly { key: string; value: string }[]): ClassSettings | null {
  const m = new Map(rows.map((r) => [r.key, r.value]));
  if (!m.has('code') || !m.has('instructorKey')) return null;
  return {
    code: m.get('code')!,
    instructorKey: m.get('instructorKey')!,
    title: m.get('title') ?? 'Socket Lab class',
    startedAt: Number(m.get('startedAt')),
    endedAt: m.get('endedAt') ? Number(m.get('endedAt')) : null,
    lesson: m.get('lesson') || null,
    presenting: m.get('presenting') || null,
  };
}

/** Reads a stored progress row back into the protocol's shape (both engines store the same columns). */
export interface ProgressColumns {
  read: unknown;
  quiz_score: unknown;
  quiz_total: unknown;
  quiz_passed: unknown;
  /** The challenges passed in the lesson (issue 18): a JSON array of ids, or NULL for none. */
  challenges?: unknown;
}

export function lessonFromRow(r: ProgressColumns): LessonProgressReport {
  const total = r.quiz_total === null ? 0 : Number(r.quiz_total);
  const lesson: LessonProgressReport = {
    read: r.read === true || Number(r.read) === 1,
    quiz: total ? { score: Number(r.quiz_score ?? 0), total, passed: r.quiz_passed === true || Number(r.quiz_passed) === 1 } : null,
  };
  const challenges = storedChallenges(r.challenges);
  if (challenges.length) lesson.challenges = challenges;
  return lesson;
}

/** The challenge ids of a lesson's progress as both engines store them: a JSON array, NULL for none. */
export function challengesColumn(p: LessonProgressReport): string | null {
  return p.challenges?.length ? JSON.stringify(p.challenges) : null;
}

/** The stored JSON array of challenge ids; anything not an id of this version is left out. */
function storedChallenges(text: unknown): ChallengeId[] {
  if (typeof text !== 'string' || !text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((id): id is ChallengeId => ChallengeIdSchema.safeParse(id).success) : [];
  } catch {
    return [];
  }
}
