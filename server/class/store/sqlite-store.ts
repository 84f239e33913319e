/**
 * The class in SQLite (better-sqlite3, loaded only for a class): the embedded default engine of
 * ClassStore (../class-store.ts). A join is committed before the student hears "joined"; progress
 * and last-seen times come in batches (ProgressBatch) and are acknowledged once committed. WAL and
 * synchronous = FULL: what was committed survives a crash, a `kill -9` or a power cut.
 * better-sqlite3 is synchronous; the async interface just wraps it (one process owns the file).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { challengesColumn, lessonFromRow, settingsFromRows, studentFromRow, type ClassSettings, type ClassStore, type Lessons, type StoreBatch, type StudentRow } from '../class-store.ts';
import { nicknameKeys, type NicknameKeys } from '../nickname.ts';
import { loadSqlite, type DatabaseConstructor } from '../sqlite.ts';

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

export const MIGRATIONS: ((db: Database.Database) => void)[] = [migrateToNicknameKeys, addChallenges];

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
    progressOf: db.prepare<[number], ProgressRow>('SELECT * FROM progress WHERE student_id = ?'),
  };
}

type NewClass = Pick<ClassSettings, 'code' | 'instructorKey' | 'title' | 'startedAt'>;

export class SqliteClassStore implements ClassStore {
  readonly engine = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;

  /** Opens (or creates) the class file; fails with SqliteUnavailableError when better-sqlite3 is missing. */
  static async open(file: string): Promise<SqliteClassStore> {
    return new SqliteClassStore(await loadSqlite(), file);
  }

  constructor(
    Sqlite: DatabaseConstructor,
    readonly location: string,
  ) {
    if (location !== ':memory:') mkdirSync(path.dirname(location), { recursive: true });
    this.db = new Sqlite(location);
    this.db.pragma('journal_mode = WAL');
    // Durable on power loss too: writes come in batches, so the cost of each sync is shared.
    this.db.pragma('synchronous = FULL');
    this.migrate();
    this.sql = prepareStatements(this.db);
  }

  /** The schema version is SQLite's user_version; each step runs in a transaction of its own. */
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

  async schemaVersion(): Promise<number> {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ------------------------------------------------------------------ settings

  async settings(): Promise<ClassSettings | null> {
    return this.settingsNow();
  }

  private settingsNow(): ClassSettings | null {
    return settingsFromRows(this.sql.settings.all());
  }

  private setSetting(key: string, value: string): void {
    this.sql.setSetting.run(key, value);
  }

  private writeClass(s: NewClass): void {
    this.db.exec('DELETE FROM progress; DELETE FROM students; DELETE FROM settings;');
    this.setSetting('code', s.code);
    this.setSetting('instructorKey', s.instructorKey);
    this.setSetting('title', s.title);
    this.setSetting('startedAt', String(s.startedAt));
  }

  async startClass(s: NewClass): Promise<void> {
    this.db.transaction(() => this.writeClass(s))();
  }

  async startClassIfNone(s: NewClass): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.settingsNow()) return false;
      this.writeClass(s);
      return true;
    }).immediate();
  }

  async setInstructorKey(key: string): Promise<void> {
    this.setSetting('instructorKey', key);
  }

  async setLesson(slug: string | null): Promise<void> {
    this.setSetting('lesson', slug ?? '');
  }

  async setPresenting(watchToken: string | null): Promise<void> {
    this.setSetting('presenting', watchToken ?? '');
  }

  async endClass(at: number): Promise<void> {
    this.db.transaction(() => {
      this.setSetting('endedAt', String(at));
      this.setSetting('presenting', '');
    })();
  }

  // ------------------------------------------------------------------ roster

  async addStudent(token: string, nickname: string, at: number, keys: NicknameKeys = nicknameKeys(nickname)): Promise<StudentRow | null> {
    try {
      const info = this.sql.addStudent.run(token, nickname, keys.folded, keys.look, at, at);
      return { id: Number(info.lastInsertRowid), token, nickname, joinedAt: at, lastSeen: at, labCalls: 0, labErrors: 0 };
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null; // nickname taken
      throw e;
    }
  }

  async studentByToken(token: string): Promise<StudentRow | null> {
    const r = this.sql.studentByToken.get(token);
    return r ? studentFromRow(r) : null;
  }

  async students(): Promise<StudentRow[]> {
    return this.sql.students.all().map(studentFromRow);
  }

  async addLabCounts(counts: Map<number, { calls: number; errors: number }>): Promise<void> {
    this.db.transaction(() => {
      for (const [id, c] of counts) this.sql.addLabCounts.run(c.calls, c.errors, id);
    })();
  }

  // ------------------------------------------------------------------ progress

  async commitBatch(batch: StoreBatch): Promise<void> {
    const { upsertProgress: upsert, touch } = this.sql;
    this.db.transaction(() => {
      for (const [studentId, { lessons, at }] of batch.progress) {
        for (const [slug, p] of Object.entries(lessons)) {
          upsert.run(studentId, slug, p.read ? 1 : 0, p.quiz?.score ?? null, p.quiz?.total ?? null, p.quiz ? (p.quiz.passed ? 1 : 0) : null, challengesColumn(p), at);
        }
      }
      for (const [id, at] of batch.touches) touch.run(at, id);
    })();
  }

  async progress(): Promise<Map<number, Lessons>> {
    const out = new Map<number, Lessons>();
    for (const r of this.sql.progress.all()) {
      const lessons = out.get(r.student_id) ?? {};
      lessons[r.slug] = lessonFromRow(r);
      out.set(r.student_id, lessons);
    }
    return out;
  }

  async progressOf(studentId: number): Promise<Lessons> {
    const out: Lessons = {};
    for (const r of this.sql.progressOf.all(studentId)) out[r.slug] = lessonFromRow(r);
    return out;
  }
}
