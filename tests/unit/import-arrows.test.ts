/**
 * The arrows between the floors run one way (docs/architecture.md): content/ imports nothing from
 * app/, and reaches the server side only through the lab protocol; app/ reaches the server side only
 * through server/protocol/; app/_lib/ has no components. Read from the source: every static and dynamic
 * import specifier.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mdx)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** Each import of a file, as a path from the project root (or the bare package name). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"`]([^'"`$]+)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => (s.startsWith('@/') ? s.slice(2) : s.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)) : s));
}

function offending(dir: string, forbidden: (target: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((f) => importsOf(f).filter(forbidden).map((t) => `${f} imports ${t}`));
}

describe('import arrows', () => {
  it('finds imports the way the check below reads them', () => {
    assert.ok(importsOf('app/_lib/quiz.ts').includes('content/quiz-schema'));
    assert.ok(importsOf('app/_lib/lessons.ts').some((t) => t.startsWith('content/')));
  });

  it('content/ imports nothing from app/, and from server/ only the lab protocol', () => {
    const bad = offending('content', (t) => t === 'app' || t.startsWith('app/') || (t.startsWith('server/') && !t.startsWith('server/protocol')));
    assert.deepEqual(bad, []);
  });

  it('app/_lib/ holds logic and hooks, no components (no .tsx)', () => {
    assert.deepEqual(sourceFiles('app/_lib').filter((f) => f.endsWith('.tsx')), []);
  });

  it('app/ imports from server/ only the protocol', () => {
    const bad = offending('app', (t) => t.startsWith('server/') && !t.startsWith('server/protocol'));
    assert.deepEqual(bad, []);
  });
});
