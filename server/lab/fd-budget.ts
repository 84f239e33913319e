/**
 * The process-wide budget of lab sockets. Every lab socket is a file descriptor of this one
 * process, which also needs descriptors for the site (each browser's HTTP and WebSocket
 * connections), Next.js and SQLite. Past RLIMIT_NOFILE every accept() and open() of the whole
 * server fails with EMFILE, so the lab stops well before: it keeps a quarter of the limit (at least
 * 256 descriptors) for everything else, and refuses further lab sockets with E_LIMIT.
 *
 * Node raises its soft limit to the hard limit at start-up, so the figure read here is the one in
 * force. An instructor may lower the budget (--lab-fd-budget), never raise it past this.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Descriptors kept for the site, Next.js and SQLite, whatever the limit. */
export const MIN_RESERVE = 256;

/** The soft RLIMIT_NOFILE of this process, or null when it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    // no /proc (macOS): ask a shell, which inherits this process's limit
  }
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 5000 });
  const text = r.stdout?.trim();
  if (text === 'unlimited') return Number.MAX_SAFE_INTEGER;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Lab sockets the whole server may hold for an open-file limit of `limit`. */
export function budgetFor(limit: number): number {
  const reserve = Math.max(MIN_RESERVE, Math.ceil(limit / 4));
  return Math.max(0, limit - reserve);
}

export interface FdBudget {
  /** The open-file limit the budget comes from (null: unknown, a conservative 1024 was assumed). */
  limit: number | null;
  /** Lab sockets the server may hold at once. */
  sockets: number;
}

/** The budget in force: derived from the limit, lowered by the setting if it asks for less. */
export function labFdBudget(setting?: number): FdBudget {
  const limit = openFileLimit();
  const derived = budgetFor(limit ?? 1024);
  return { limit, sockets: setting === undefined ? derived : Math.min(setting, derived) };
}
