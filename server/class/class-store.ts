/**
 * Class state on disk (SQLite through better-sqlite3, loaded only for a class): settings, the
 * roster, each student's lesson progress and quiz results, and lab-call counts. A join is committed
 * before the student hears "joined"; progress and last-seen times are committed in batches
 * (ProgressBatch), and a report is acknowledged only once its batch is; lab-call counts are flushed
 * every few seconds. What was committed survives a crash or a `kill -9`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { ChallengeIdSchema, type ChallengeId } from '../protocol/challenges.ts';
import type { LessonProgressReport } from '../protocol/class.ts';
import { nicknameKeys, type NicknameKeys } from './nickname.ts';
import { loadSqlite, type DatabaseConstructor } from './sqlite.ts';

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
}

/** One batch of writes: the newest progress per student and lesson, and last-seen times. */
export interface StoreBatch {
  progress: Map<number, { lessons: Record<string, LessonProgressReport>; at: number }>;
  touches: Map<number, number>;
}

/** The first schema; MIGRATIONS take any file, new or from an older version, to the current one. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  nickname TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  lab_calls INTEGER NOT NULL DEFAULT 0,
  lab_errors INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS students_nickname ON students (nickname COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS progress (
  student_id INTEGER NOT NULL REFERENCES students (id),
  slug TEXT NOT NULL,
  read INTEGER NOT NULL,
  quiz_score INTEGER,
  quiz_total INTEGER,
  quiz_passed INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (student_id, slug)
);
`;

/**
 * Version 1: nicknames are unique by two keys (server/class/nickname.ts) instead of SQLite's
 * ASCII-only NOCASE. Students already in an older file keep their nicknames even where the new keys
 * make two of them one name: the later one's keys get its id appended, and only new joins are
 * held to the new rule.
 */
function migrateToNicknameKeys(db: Database.Database): void {
  db.exec(`ALTER TABLE students ADD COLUMN nickname_key TEXT NOT NULL DEFAULT '';
           ALTER TABLE students ADD COLUMN nickname_look TEXT NOT NULL DEFAULT '';
           DROP INDEX IF EXISTS students_nickname;`);
  const rows = db.prepare('SELECT id, nickname FROM students ORDER BY id').all() as { id: number; nickname: string }[];
  const update = db.prepare('UPDATE students SET nickname_key = ?, nickname_look = ? WHERE id = ?');
  const seen = new Set<string>();
  for (const r of rows) {
    const k = nicknameKeys(r.nickname);
    const clash = seen.has(`f:${k.folded}`) || seen.has(`l:${k.look}`);
    const folded = clash ? `${k.folded}#${r.id}` : k.folded;
    const look = clash ? `${k.look}#${r.id}` : k.look;
    seen.add(`f:${folded}`).add(`l:${look}`);
    update.run(folded, look, r.id);
  }
  db.exec(`CREATE UNIQUE INDEX students_nickname_key ON students (nickname_key);
           CREATE UNIQUE INDEX students_nickname_look ON students (nickname_look);`);
}

/** Version 2: the challenges passed in each lesson (issue 18), as a JSON array of ids; NULL for none. */
function addChallenges(db: Database.Database): void {
  db.exec('ALTER TABLE progress ADD COLUMN challenges TEXT');
}

const MIGRATIONS: ((db: Database.Database) => void)[] = [migrateToNicknameKeys, addChallenges];

type StoredRow = Record<string, number | string>;
interface ProgressRow {
  student_id: number;
  slug: string;
  read: number;
  quiz_score: number | null;
  quiz_total: number | null;
  quiz_passed: number | null;
  challenges: string | null;
}

/** Every statement the store runs, prepared once when the file is opened (and migrated). */
function prepareStatements(db: Database.Database) {
  return {
    settings: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings'),
    setSetting: db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    addStudent: db.prepare<[string, string, string, string, number, number]>(
      'INSERT INTO students (token, nickname, nickname_key, nickname_look, joined_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    studentByToken: db.prepare<[string], StoredRow>('SELECT * FROM students WHERE token = ?'),
    students: db.prepare<[], StoredRow>('SELECT * FROM students ORDER BY id'),
    addLabCounts: db.prepare<[number, number, number]>('UPDATE students SET lab_calls = lab_calls + ?, lab_errors = lab_errors + ? WHERE id = ?'),
    upsertProgress: db.prepare<[number, string, number, number | null, number | null, number | null, string | null, number]>(
      `INSERT INTO progress (student_id, slug, read, quiz_score, quiz_total, quiz_passed, challenges, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(student_id, slug) DO UPDATE SET read = excluded.read, quiz_score = excluded.quiz_score,
         quiz_total = excluded.quiz_total, quiz_passed = excluded.quiz_passed, challenges = excluded.challenges,
         updated_at = excluded.updated_at`,
    ),
    touch: db.prepare<[number, number]>('UPDATE students SET last_seen = max(last_seen, ?) WHERE id = ?'),
    progress: db.prepare<[], ProgressRow>('SELECT * FROM progress'),
  };
}

export class ClassStore {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;

  /** Opens (or creates) the class file; fails with SqliteUnavailableError when better-sqlite3 is missing. */
  static async open(file: string): Promise<ClassStore> {
    return new ClassStore(await loadSqlite(), file);
  }

  constructor(Sqlite: DatabaseConstructor, file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Sqlite(file);
    this.db.pragma('journal_mode = WAL');
    // Durable on power loss too: writes come in batches, so the cost of each sync is shared.
    this.db.pragma('synchronous = FULL');
    this.migrate();
    this.sql = prepareStatements(this.db);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version === 0) this.db.exec(SCHEMA);
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        MIGRATIONS[v](this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  // ------------------------------------------------------------------ settings

  settings(): ClassSettings | null {
    const rows = this.sql.settings.all();
    const m = new Map(rows.map((r) => [r.key, r.value]));
    if (!m.has('code') || !m.has('instructorKey')) return null;
    return {
      code: m.get('code')!,
      instructorKey: m.get('instructorKey')!,
      title: m.get('title') ?? 'Socket Lab class',
      startedAt: Number(m.get('startedAt')),
      endedAt: m.get('endedAt') ? Number(m.get('endedAt')) : null,
      lesson: m.get('lesson') || null,
    };
  }

  private setSetting(key: string, value: string): void {
    this.sql.setSetting.run(key, value);
  }

  /** Starts a new class: forgets the previous roster and progress. */
  startClass(s: Omit<ClassSettings, 'endedAt' | 'lesson'>): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM progress; DELETE FROM students; DELETE FROM settings;');
      this.setSetting('code', s.code);
      this.setSetting('instructorKey', s.instructorKey);
      this.setSetting('title', s.title);
      this.setSetting('startedAt', String(s.startedAt));
    })();
  }

  setInstructorKey(key: string): void {
    this.setSetting('instructorKey', key);
  }

  setLesson(slug: string | null): void {
    this.setSetting('lesson', slug ?? '');
  }

  endClass(at: number): void {
    this.setSetting('endedAt', String(at));
  }

  // ------------------------------------------------------------------ roster

  /** Adds a student; null when the nickname is taken (either key: server/class/nickname.ts). */
  addStudent(token: string, nickname: string, at: number, keys: NicknameKeys = nicknameKeys(nickname)): StudentRow | null {
    try {
      const info = this.sql.addStudent.run(token, nickname, keys.folded, keys.look, at, at);
      return { id: Number(info.lastInsertRowid), token, nickname, joinedAt: at, lastSeen: at, labCalls: 0, labErrors: 0 };
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null; // nickname taken
      throw e;
    }
  }

  studentByToken(token: string): StudentRow | null {
    const r = this.sql.studentByToken.get(token);
    return r ? toStudent(r) : null;
  }

  students(): StudentRow[] {
    return this.sql.students.all().map(toStudent);
  }

  /** Adds lab-call counts gathered since the last flush. */
  addLabCounts(counts: Map<number, { calls: number; errors: number }>): void {
    this.db.transaction(() => {
      for (const [id, c] of counts) this.sql.addLabCounts.run(c.calls, c.errors, id);
    })();
  }

  // ------------------------------------------------------------------ progress

  /** Writes a batch in one transaction: all of it is on disk when this returns, or none of it. */
  commitBatch(batch: StoreBatch): void {
    const { upsertProgress: upsert, touch } = this.sql;
    this.db.transaction(() => {
      for (const [studentId, { lessons, at }] of batch.progress) {
        for (const [slug, p] of Object.entries(lessons)) {
          const challenges = p.challenges?.length ? JSON.stringify(p.challenges) : null;
          upsert.run(studentId, slug, p.read ? 1 : 0, p.quiz?.score ?? null, p.quiz?.total ?? null, p.quiz ? (p.quiz.passed ? 1 : 0) : null, challenges, at);
        }
      }
      for (const [id, at] of batch.touches) touch.run(at, id);
    })();
  }

  progress(): Map<number, Record<string, LessonProgressReport>> {
    const rows = this.sql.progress.all();
    const out = new Map<number, Record<string, LessonProgressReport>>();
    for (const r of rows) {
      const lessons = out.get(r.student_id) ?? {};
      lessons[r.slug] = {
        read: r.read === 1,
        quiz: r.quiz_total ? { score: r.quiz_score ?? 0, total: r.quiz_total, passed: r.quiz_passed === 1 } : null,
      };
      const challenges = storedChallenges(r.challenges);
      if (challenges.length) lessons[r.slug]!.challenges = challenges;
      out.set(r.student_id, lessons);
    }
    return out;
  }
}

/** The stored JSON array of challenge ids; anything not an id of this version is left out. */
function storedChallenges(text: string | null): ChallengeId[] {
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((id): id is ChallengeId => ChallengeIdSchema.safeParse(id).success) : [];
  } catch {
    return [];
  }
}

function toStudent(r: StoredRow): StudentRow {
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
