/**
 * The arrows between the floors run one way (docs/architecture.md): content/ imports nothing from
 * app/, and reaches the server side only through the lab protocol; app/ reaches the server side only
 * through server/protocol/; app/_lib/ has no components; the lab names no program and the protocol no
 * implementation; no import circle in server/. Read from the source: every static and dynamic import
 * specifier.
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

/**
 * The imports in a file's text, each as a path from the project root (or the bare package name):
 * `import … from`, `export … from`, side-effect imports (`import 'x'`) and dynamic `import('x')`.
 */
function importsIn(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"`]([^'"`$]+)/g),
  ].map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.map((s) => (s.startsWith('@/') ? s.slice(2) : s.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)) : s));
}

function importsOf(file: string): string[] {
  return importsIn(file, readFileSync(path.join(ROOT, file), 'utf8'));
}

const isApp = (t: string) => t === 'app' || t.startsWith('app/');
/** The protocol folder itself, not a sibling whose name merely starts the same way. */
const isProtocol = (t: string) => t === 'server/protocol' || t.startsWith('server/protocol/');
const isServerBeyondProtocol = (t: string) => (t === 'server' || t.startsWith('server/')) && !isProtocol(t);

function offending(dir: string, forbidden: (target: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((f) => importsOf(f).filter(forbidden).map((t) => `${f} imports ${t}`));
}

describe('import arrows', () => {
  it('finds imports the way the check below reads them', () => {
    assert.ok(importsOf('app/_lib/quiz.ts').includes('content/quiz-schema'));
    assert.ok(importsOf('app/_lib/lessons.ts').some((t) => t.startsWith('content/')));
    const text = [
      "import type {",
      "  A,",
      "} from '@/server/protocol/class';",
      "import 'server-only';",
      "import '../../server/lab/policy';",
      "export * from './sibling';",
      "const m = await import('@/app/_lib/quiz');",
    ].join('\n');
    assert.deepEqual(importsIn('content/lessons/x.ts', text), ['server/protocol/class', 'server-only', 'server/lab/policy', 'content/lessons/sibling', 'app/_lib/quiz']);
  });

  it('tells the protocol from the rest of the server, and app/ from a folder that starts the same', () => {
    assert.deepEqual(
      ['server/protocol', 'server/protocol/class', 'server/protocol-copy/x', 'server/lab/ops', 'server', 'serverless'].filter(isServerBeyondProtocol),
      ['server/protocol-copy/x', 'server/lab/ops', 'server'],
    );
    assert.deepEqual(['app', 'app/_lib/quiz', 'apple/x', 'content/app'].filter(isApp), ['app', 'app/_lib/quiz']);
  });

  it('content/ imports nothing from app/, and from server/ only the lab protocol', () => {
    const bad = offending('content', (t) => isApp(t) || isServerBeyondProtocol(t));
    assert.deepEqual(bad, []);
  });

  it('app/_lib/ holds logic and hooks, no components (no .tsx)', () => {
    assert.deepEqual(sourceFiles('app/_lib').filter((f) => f.endsWith('.tsx')), []);
  });

  it('app/ imports from server/ only the protocol', () => {
    const bad = offending('app', isServerBeyondProtocol);
    assert.deepEqual(bad, []);
  });

  it('server/lab/ names no program: programs reach it only through its seam (server/lab/program.ts)', () => {
    const bad = offending('server/lab', (t) => t.startsWith('server/chat') || t.startsWith('server/programs'));
    assert.deepEqual(bad, []);
  });

  it('server/protocol/ imports nothing else of the project (the site and the server both load it)', () => {
    const bad = offending('server/protocol', (t) => /^(server|app|content)\//.test(t) && !t.startsWith('server/protocol/'));
    assert.deepEqual(bad, []);
  });

  it('no import circle among the server\'s TypeScript files', () => {
    const files = sourceFiles('server').filter((f) => f.endsWith('.ts'));
    const known = new Set(files);
    const edges = new Map(files.map((f) => [f, importsOf(f).map((t) => (t.endsWith('.ts') ? t : `${t}.ts`)).filter((t) => known.has(t))]));
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f, []);
    assert.deepEqual(circles, []);
  });
});
