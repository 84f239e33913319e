/**
 * The class in PostgreSQL (node-postgres, a Pool): the engine for a class that several instances
 * serve (`--class-data postgres://…`). Tables are prefixed `class_` so the class may share a
 * database with other things. Migrations are numbered, recorded in class_schema_migrations and
 * applied at start under an advisory lock, so instances starting together apply each one once.
 *
 * Failures are sorted in two: the database is out of reach (connection refused or lost, shutting
 * down, a timeout) → StoreUnavailableError, which callers answer with E_STORE_UNAVAILABLE and the
 * progress batch retries; anything else is a bug and is thrown as it came.
 */
import pg from 'pg';
import {
  StoreStartError,
  StoreUnavailableError,
  challengesColumn,
  lessonFromRow,
  settingsFromRows,
  studentFromRow,
  type ClassSettings,
  type ClassStore,
  type Lessons,
  type ProgressColumns,
  type StoreBatch,
  type StudentRow,
} from '../class-store.ts';
import { nicknameKeys, type NicknameKeys } from '../nickname.ts';

type NewClass = Pick<ClassSettings, 'code' | 'instructorKey' | 'title' | 'startedAt'>;
interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Keys for pg_advisory_xact_lock: migrations run one at a time, and so do "start a class (if none)". */
const MIGRATE_LOCK_KEY = 0x50c6e7;
export const CLASS_LOCK_KEY = 0x50c6e8;

/** Each entry takes the schema from the version before it to its own number (index + 1). */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE class_settings (key text PRIMARY KEY, value text NOT NULL);
   CREATE TABLE class_students (
     id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     token text NOT NULL UNIQUE,
     nickname text NOT NULL,
     nickname_key text NOT NULL UNIQUE,
     nickname_look text NOT NULL UNIQUE,
     joined_at bigint NOT NULL,
     last_seen bigint NOT NULL,
     lab_calls bigint NOT NULL DEFAULT 0,
     lab_errors bigint NOT NULL DEFAULT 0
   );
   CREATE TABLE class_progress (
     student_id integer NOT NULL REFERENCES class_students (id) ON DELETE CASCADE,
     slug text NOT NULL,
     read boolean NOT NULL,
     quiz_score integer,
     quiz_total integer,
     quiz_passed boolean,
     updated_at bigint NOT NULL,
     PRIMARY KEY (student_id, slug)
   );`,
  // Version 2: the challenges passed in each lesson (issue 18), as a JSON array of ids; NULL for none.
  `ALTER TABLE class_progress ADD COLUMN challenges text;`,
];

/** node.js and PostgreSQL error codes that mean "the server is out of reach", not "the query is wrong". */
const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ENOENT']);

export function isUnreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code && UNREACHABLE_ERRNO.has(err.code)) return true;
  // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutting down, cannot connect now).
  if (err?.code && (/^08/.test(err.code) || /^57P0[123]$/.test(err.code))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(err?.message ?? '');
}

/** Runs database work; an unreachable database becomes StoreUnavailableError. */
async function reach<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof StoreUnavailableError || !isUnreachable(e)) throw e;
    throw new StoreUnavailableError((e as Error).message.split('\n')[0], { cause: e });
  }
}

/** The URL as the banner may show it: no password. */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return shown.href;
}

export class PostgresClassStore implements ClassStore {
  readonly engine = 'postgres' as const;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /**
   * Connects, checks the credentials and applies the migrations. A bad URL, refused credentials or
   * an unreachable server reject with StoreStartError (E_CLASS_DATA_URL, _AUTH, _UNREACHABLE).
   */
  static async open(url: string, o: { connectTimeoutMs?: number } = {}): Promise<PostgresClassStore> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new StoreStartError('E_CLASS_DATA_URL', `--class-data: "${url.replace(/:[^:@/]*@/, ':***@')}" is not a valid URL; PostgreSQL's looks like postgres://user:password@host:5432/database.`);
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new StoreStartError('E_CLASS_DATA_URL', `--class-data: ${parsed.protocol}// is not a database this server speaks; give a postgres:// URL or a file path for SQLite.`);
    }
    const location = redactUrl(parsed);
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      // While the database is away, a join waits this long for a connection before it is told so.
      connectionTimeoutMillis: o.connectTimeoutMs ?? 3000,
      idleTimeoutMillis: 30_000,
      query_timeout: 15_000,
      application_name: 'socket-lab',
    });
    // An idle connection that the server drops (a restart) is an event, not a crash: the pool
    // forgets it and the next query opens a new one.
    pool.on('error', () => {});
    const store = new PostgresClassStore(pool, location);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => {});
      const code = (e as { code?: string }).code;
      const reason = (e as Error).message.split('\n')[0];
      if (code === '28P01' || code === '28000') throw new StoreStartError('E_CLASS_DATA_AUTH', `--class-data: PostgreSQL at ${location} refused the credentials (${reason}).`, { cause: e });
      if (code === '3D000') throw new StoreStartError('E_CLASS_DATA_UNREACHABLE', `--class-data: ${reason}; create it first (docs/hosting.md, "The class in PostgreSQL").`, { cause: e });
      if (e instanceof StoreUnavailableError || isUnreachable(e)) throw new StoreStartError('E_CLASS_DATA_UNREACHABLE', `--class-data: cannot reach PostgreSQL at ${location} (${reason}).`, { cause: e });
      throw new StoreStartError('E_CLASS_DATA_SCHEMA', `--class-data: could not prepare the class tables in ${location} (${reason}).`, { cause: e });
    }
    return store;
  }

  /** Applies the migrations this database has not had yet, each in its own transaction. */
  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK_KEY]);
      await c.query('CREATE TABLE IF NOT EXISTS class_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM class_schema_migrations');
      for (let v = rows[0].v ?? 0; v < PG_MIGRATIONS.length; v++) {
        await c.query(PG_MIGRATIONS[v]);
        await c.query('INSERT INTO class_schema_migrations (version) VALUES ($1)', [v + 1]);
      }
    });
  }

  /** The schema version this database is at. */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.q<{ v: number | null }>('SELECT max(version) AS v FROM class_schema_migrations');
    return rows[0].v ?? 0;
  }

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return reach(() => this.pool.query<R>(text, values));
  }

  /** One transaction on one connection; a connection that broke is dropped, not returned to the pool. */
  private tx<T>(work: (c: Queryable) => Promise<T>): Promise<T> {
    return reach(async () => {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const out = await work(c);
        await c.query('COMMIT');
        return out;
      } catch (e) {
        broken = e as Error;
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        // Released with the error only when the connection itself failed: a constraint is not a broken line.
        c.release(broken && isUnreachable(broken) ? broken : undefined);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ------------------------------------------------------------------ settings

  async settings(): Promise<ClassSettings | null> {
    return settingsFrom(this);
  }

  private async setSetting(key: string, value: string, c: Queryable = this): Promise<void> {
    await c.query('INSERT INTO class_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  /** So that `this` can stand in for a transaction's connection. */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.q<R>(text, values);
  }

  private async writeClass(c: Queryable, s: NewClass): Promise<void> {
    await c.query('DELETE FROM class_progress');
    await c.query('DELETE FROM class_students');
    await c.query('DELETE FROM class_settings');
    for (const [k, v] of [['code', s.code], ['instructorKey', s.instructorKey], ['title', s.title], ['startedAt', String(s.startedAt)]]) await this.setSetting(k, v, c);
  }

  async startClass(s: NewClass): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [CLASS_LOCK_KEY]);
      await this.writeClass(c, s);
    });
  }

  async startClassIfNone(s: NewClass): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [CLASS_LOCK_KEY]);
      if (await settingsFrom(c)) return false;
      await this.writeClass(c, s);
      return true;
    });
  }

  async setInstructorKey(key: string): Promise<void> {
    await this.setSetting('instructorKey', key);
  }

  async setLesson(slug: string | null): Promise<void> {
    await this.setSetting('lesson', slug ?? '');
  }

  async setPresenting(watchToken: string | null): Promise<void> {
    await this.setSetting('presenting', watchToken ?? '');
  }

  async endClass(at: number): Promise<void> {
    await this.tx(async (c) => {
      await this.setSetting('endedAt', String(at), c);
      await this.setSetting('presenting', '', c);
    });
  }

  // ------------------------------------------------------------------ roster

  async addStudent(token: string, nickname: string, at: number, keys: NicknameKeys = nicknameKeys(nickname)): Promise<StudentRow | null> {
    try {
      const { rows } = await this.q<{ id: number }>(
        'INSERT INTO class_students (token, nickname, nickname_key, nickname_look, joined_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id',
        [token, nickname, keys.folded, keys.look, at],
      );
      return { id: Number(rows[0].id), token, nickname, joinedAt: at, lastSeen: at, labCalls: 0, labErrors: 0 };
    } catch (e) {
      if ((e as { code?: string }).code === '23505') return null; // unique_violation: the nickname is taken
      throw e;
    }
  }

  async studentByToken(token: string): Promise<StudentRow | null> {
    const { rows } = await this.q('SELECT * FROM class_students WHERE token = $1', [token]);
    return rows[0] ? studentFromRow(rows[0]) : null;
  }

  async students(): Promise<StudentRow[]> {
    const { rows } = await this.q('SELECT * FROM class_students ORDER BY id');
    return rows.map(studentFromRow);
  }

  async addLabCounts(counts: Map<number, { calls: number; errors: number }>): Promise<void> {
    if (!counts.size) return;
    const ids = [...counts.keys()];
    await this.q(
      `UPDATE class_students s SET lab_calls = s.lab_calls + c.calls, lab_errors = s.lab_errors + c.errors
       FROM unnest($1::integer[], $2::bigint[], $3::bigint[]) AS c (id, calls, errors) WHERE s.id = c.id`,
      [ids, ids.map((id) => counts.get(id)!.calls), ids.map((id) => counts.get(id)!.errors)],
    );
  }

  // ------------------------------------------------------------------ progress

  async commitBatch(batch: StoreBatch): Promise<void> {
    const cols: { id: number[]; slug: string[]; read: boolean[]; score: (number | null)[]; total: (number | null)[]; passed: (boolean | null)[]; challenges: (string | null)[]; at: number[] } = {
      id: [], slug: [], read: [], score: [], total: [], passed: [], challenges: [], at: [],
    };
    for (const [id, { lessons, at }] of batch.progress) {
      for (const [slug, p] of Object.entries(lessons)) {
        cols.id.push(id);
        cols.slug.push(slug);
        cols.read.push(p.read);
        cols.score.push(p.quiz?.score ?? null);
        cols.total.push(p.quiz?.total ?? null);
        cols.passed.push(p.quiz ? p.quiz.passed : null);
        cols.challenges.push(challengesColumn(p));
        cols.at.push(at);
      }
    }
    const touchIds = [...batch.touches.keys()];
    await this.tx(async (c) => {
      if (cols.id.length) {
        await c.query(
          `INSERT INTO class_progress (student_id, slug, read, quiz_score, quiz_total, quiz_passed, challenges, updated_at)
           SELECT * FROM unnest($1::integer[], $2::text[], $3::boolean[], $4::integer[], $5::integer[], $6::boolean[], $7::text[], $8::bigint[])
           ON CONFLICT (student_id, slug) DO UPDATE SET read = excluded.read, quiz_score = excluded.quiz_score,
             quiz_total = excluded.quiz_total, quiz_passed = excluded.quiz_passed, challenges = excluded.challenges,
             updated_at = excluded.updated_at`,
          [cols.id, cols.slug, cols.read, cols.score, cols.total, cols.passed, cols.challenges, cols.at],
        );
      }
      if (touchIds.length) {
        await c.query(
          `UPDATE class_students s SET last_seen = greatest(s.last_seen, t.at)
           FROM unnest($1::integer[], $2::bigint[]) AS t (id, at) WHERE s.id = t.id`,
          [touchIds, touchIds.map((id) => batch.touches.get(id)!)],
        );
      }
    });
  }

  async progress(): Promise<Map<number, Lessons>> {
    const { rows } = await this.q('SELECT * FROM class_progress');
    const out = new Map<number, Lessons>();
    for (const r of rows) {
      const id = Number(r.student_id);
      const lessons = out.get(id) ?? {};
      lessons[r.slug] = lessonFromRow(r as ProgressColumns);
      out.set(id, lessons);
    }
    return out;
  }

  async progressOf(studentId: number): Promise<Lessons> {
    const { rows } = await this.q('SELECT * FROM class_progress WHERE student_id = $1', [studentId]);
    const out: Lessons = {};
    for (const r of rows) out[r.slug] = lessonFromRow(r as ProgressColumns);
    return out;
  }
}

async function settingsFrom(c: Queryable): Promise<ClassSettings | null> {
  const { rows } = await c.query<{ key: string; value: string }>('SELECT key, value FROM class_settings');
  return settingsFromRows(rows);
}
