#!/usr/bin/env node
// Renders diagrams from public/diagrams/ to PNG, in light and dark mode, with the site's palette,
// so an author can look at them without running the site:
//   node scripts/preview-diagram.mjs networks-lan.svg [more.svg ...]   → /tmp/diagram-previews/*.png
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from './find-chromium.mjs';

const root = path.resolve(import.meta.dirname, '..');
const css = readFileSync(path.join(root, 'app/globals.css'), 'utf8');
const palette = css.match(/:root \{[\s\S]*?\}\n\.dark \{[\s\S]*?\}/)?.[0] ?? '';
const out = '/tmp/diagram-previews';
mkdirSync(out, { recursive: true });

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node scripts/preview-diagram.mjs <file.svg> [...]');
  process.exit(2);
}
const executablePath = findChromium();
if (!executablePath) {
  console.error('Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH');
  process.exit(1);
}
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 820, height: 600 } });
  for (const f of files) {
    const svg = readFileSync(path.join(root, 'public/diagrams', path.basename(f)), 'utf8');
    for (const mode of ['light', 'dark']) {
      await page.setContent(`<html class="${mode}"><style>${palette} body{margin:0;padding:16px;background:${mode === 'dark' ? '#030712' : '#fff'};color:var(--dg-fg)} svg{width:780px;height:auto}</style><body>${svg}</body></html>`);
      const file = path.join(out, `${path.basename(f, '.svg')}-${mode}.png`);
      await page.locator('body').screenshot({ path: file });
      console.log(file);
    }
  }
} finally {
  await browser.close();
}
