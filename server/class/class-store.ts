/**
 * Class state on disk (SQLite through better-sqlite3): settings, the roster, each student's lesson
 * progress and quiz results, and lab-call counts. Every roster and progress change is written at
 * once, so a crash or a `kill -9` mid-class loses none of them; lab-call counts are flushed every
 * few seconds.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LessonProgressReport } from '../protocol/class.ts';

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

export class ClassStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Durable on power loss too; class-sized write rates make the cost negligible.
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  // ------------------------------------------------------------------ settings

  settings(): ClassSettings | null {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
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
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
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

  addStudent(token: string, nickname: string, at: number): StudentRow | null {
    try {
      const info = this.db.prepare('INSERT INTO students (token, nickname, joined_at, last_seen) VALUES (?, ?, ?, ?)').run(token, nickname, at, at);
      return { id: Number(info.lastInsertRowid), token, nickname, joinedAt: at, lastSeen: at, labCalls: 0, labErrors: 0 };
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null; // nickname taken
      throw e;
    }
  }

  studentByToken(token: string): StudentRow | null {
    const r = this.db.prepare('SELECT * FROM students WHERE token = ?').get(token) as Record<string, number | string> | undefined;
    return r ? toStudent(r) : null;
  }

  students(): StudentRow[] {
    return (this.db.prepare('SELECT * FROM students ORDER BY id').all() as Record<string, number | string>[]).map(toStudent);
  }

  touch(id: number, at: number): void {
    this.db.prepare('UPDATE students SET last_seen = ? WHERE id = ?').run(at, id);
  }

  /** Adds lab-call counts gathered since the last flush. */
  addLabCounts(counts: Map<number, { calls: number; errors: number }>): void {
    const stmt = this.db.prepare('UPDATE students SET lab_calls = lab_calls + ?, lab_errors = lab_errors + ? WHERE id = ?');
    this.db.transaction(() => {
      for (const [id, c] of counts) stmt.run(c.calls, c.errors, id);
    })();
  }

  // ------------------------------------------------------------------ progress

  saveProgress(studentId: number, lessons: Record<string, LessonProgressReport>, at: number): void {
    const stmt = this.db.prepare(
      `INSERT INTO progress (student_id, slug, read, quiz_score, quiz_total, quiz_passed, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(student_id, slug) DO UPDATE SET read = excluded.read, quiz_score = excluded.quiz_score,
         quiz_total = excluded.quiz_total, quiz_passed = excluded.quiz_passed, updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      for (const [slug, p] of Object.entries(lessons)) {
        stmt.run(studentId, slug, p.read ? 1 : 0, p.quiz?.score ?? null, p.quiz?.total ?? null, p.quiz ? (p.quiz.passed ? 1 : 0) : null, at);
      }
    })();
  }

  progress(): Map<number, Record<string, LessonProgressReport>> {
    const rows = this.db.prepare('SELECT * FROM progress').all() as {
      student_id: number;
      slug: string;
      read: number;
      quiz_score: number | null;
      quiz_total: number | null;
      quiz_passed: number | null;
    }[];
    const out = new Map<number, Record<string, LessonProgressReport>>();
    for (const r of rows) {
      const lessons = out.get(r.student_id) ?? {};
      lessons[r.slug] = {
        read: r.read === 1,
        quiz: r.quiz_total ? { score: r.quiz_score ?? 0, total: r.quiz_total, passed: r.quiz_passed === 1 } : null,
      };
      out.set(r.student_id, lessons);
    }
    return out;
  }
}

function toStudent(r: Record<string, number | string>): StudentRow {
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
