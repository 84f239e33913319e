/**
 * GET /class/summary.csv: the class's summary for the instructor, over plain HTTP with the
 * instructor key as a bearer token (the dashboard's download button sends it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from './class-codes.ts';

export const SUMMARY_PATH = '/class/summary.csv';

export interface SummarySource {
  instructorKey: string;
  startedAt: number;
  /** The CSV, made only once the request is known to be the instructor's. */
  csv(): Promise<string>;
}

/** Serves the summary; returns false for every other path (the request is someone else's). */
export function serveSummary(req: IncomingMessage, res: ServerResponse, source: SummarySource): boolean {
  const url = new URL(req.url ?? '/', 'http://class.invalid');
  if (url.pathname !== SUMMARY_PATH) return false;
  const auth = req.headers.authorization ?? '';
  const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  if (req.method !== 'GET' || !sameSecret(key, source.instructorKey)) {
    res.writeHead(req.method !== 'GET' ? 405 : 403, { 'content-type': 'text/plain' }).end('Instructor key required.\n');
    return true;
  }
  void source.csv().then(
    (csv) => sendCsv(res, source.startedAt, csv),
    (e: Error & { code?: string }) => {
      // The store is away (E_STORE_UNAVAILABLE): try again in a moment; anything else is a bug, logged.
      if (e.code !== 'E_STORE_UNAVAILABLE') console.error(`class: summary failed: ${e.stack ?? e.message}`);
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end(`${e.code ?? 'E_INTERNAL'}: the summary cannot be made just now; try again in a moment.\n`);
    },
  );
  return true;
}

function sendCsv(res: ServerResponse, startedAt: number, csv: string): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="socket-lab-class-${new Date(startedAt).toISOString().slice(0, 10)}.csv"`,
    'cache-control': 'no-store',
  });
  res.end(csv);
}
