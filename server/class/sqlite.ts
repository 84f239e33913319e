/**
 * better-sqlite3 is an optional dependency: only a class (`--class`) needs it, and where its
 * prebuilt binary cannot be fetched and no compiler is at hand, `npm install` skips it and the
 * site still runs. It is loaded here, on demand, and a missing or unloadable package becomes one
 * clear sentence saying what to install.
 */
import type Database from 'better-sqlite3';

export type DatabaseConstructor = typeof Database;

/** Set to 1 to make the loader behave as if better-sqlite3 were not installed (tests). */
export const SIMULATE_MISSING_ENV = 'SOCKETLAB_SIMULATE_MISSING_SQLITE';
/** A package that does not exist: importing it fails exactly as a skipped optional dependency does. */
const MISSING_PACKAGE: string = 'better-sqlite3-is-not-installed';

export class SqliteUnavailableError extends Error {
  readonly code = 'E_NO_SQLITE';
  constructor(reason: string) {
    super(
      `--class needs the optional package better-sqlite3, which could not be loaded (${reason}). ` +
        'Install it with "npm install better-sqlite3" (where no prebuilt binary can be fetched this needs a C++ compiler and Python 3: ' +
        '"sudo apt-get install build-essential python3"); the site without --class runs without it.',
    );
    this.name = 'SqliteUnavailableError';
  }
}

/** The first line of an error, short enough for the one-line message. */
function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n')[0].trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

let loaded: Promise<DatabaseConstructor> | null = null;

/** better-sqlite3's Database class, with its native addon loaded and working. */
export function loadSqlite(env: Record<string, string | undefined> = process.env): Promise<DatabaseConstructor> {
  const simulate = env[SIMULATE_MISSING_ENV] === '1';
  if (!simulate && loaded) return loaded;
  const attempt = (async () => {
    try {
      if (simulate) await import(MISSING_PACKAGE);
      const Sqlite = (await import('better-sqlite3')).default;
      // The package loads its native addon in the constructor, not at import: open a database once.
      new Sqlite(':memory:').close();
      return Sqlite;
    } catch (e) {
      throw new SqliteUnavailableError(reasonOf(e));
    }
  })();
  if (!simulate) {
    loaded = attempt;
    attempt.catch(() => (loaded = null));
  }
  return attempt;
}
