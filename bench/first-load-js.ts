/**
 * First-load JavaScript of each page: the scripts the built HTML loads before anything is clicked,
 * gzipped and summed (what a learner on a slow connection waits for). Lazy widgets (the live lab)
 * load later and are not counted; nor are noModule polyfills, which current browsers skip.
 * Budget: 180 kB gz per lesson page.
 *   node --import tsx bench/first-load-js.ts        (after `npm run build`)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { LESSON_SLUGS } from '../content/lessons.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUDGET_KB = 180;
const APP = path.join(ROOT, '.next', 'server', 'app');

function gz(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

export function firstLoad(htmlFile: string): { scripts: number; kb: number; inlineKb: number } {
  const html = readFileSync(htmlFile, 'utf8');
  // noModule scripts are polyfills that browsers with ES modules (every current one) never download.
  const tags = [...html.matchAll(/<script[^>]+src="([^"]+)"[^>]*>/g)].filter((m) => !/nomodule/i.test(m[0]));
  const srcs = [...new Set(tags.map((m) => m[1]))];
  let bytes = 0;
  for (const src of srcs) {
    const rel = decodeURIComponent(src.replace(/^\/_next\//, '').split('?')[0]);
    const file = path.join(ROOT, '.next', rel);
    if (!existsSync(file)) throw new Error(`${htmlFile}: script ${src} not found in .next/`);
    bytes += gz(file);
  }
  const inline = [...html.matchAll(/<script(?![^>]*src=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('');
  return { scripts: srcs.length, kb: bytes / 1024, inlineKb: gzipSync(inline).length / 1024 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(APP)) {
    console.error('No build found: run `npm run build` first.');
    process.exit(1);
  }
  const pages: [string, string][] = [
    ['/', path.join(APP, 'index.html')],
    ...LESSON_SLUGS.map((s): [string, string] => [`/learn/${s}`, path.join(APP, 'learn', `${s}.html`)]),
    ['/lab', path.join(APP, 'lab.html')],
  ];
  let worst = 0;
  console.log('page                                   scripts   first-load JS (gz)   inline RSC data (gz)');
  for (const [route, file] of pages) {
    const r = firstLoad(file);
    if (route.startsWith('/learn/')) worst = Math.max(worst, r.kb);
    console.log(`${route.padEnd(40)} ${String(r.scripts).padStart(3)}   ${r.kb.toFixed(1).padStart(8)} kB ${r.kb > BUDGET_KB && route.startsWith('/learn/') ? 'OVER' : '    '}      ${r.inlineKb.toFixed(1).padStart(6)} kB`);
  }
  console.log(`\nlargest lesson page: ${worst.toFixed(1)} kB gz (budget ${BUDGET_KB} kB): ${worst <= BUDGET_KB ? 'within budget' : 'OVER BUDGET'}`);
}
