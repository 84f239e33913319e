/**
 * Browser tests run in a real Chromium through playwright-core. Chromium is an outside tool like any
 * other (tests/helpers/tools.ts): where none is found the suite is skipped with the install hint,
 * except under CI=true, where a missing browser is a failure that names it.
 */
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { needs } from './tools.ts';

/** The Chromium the tests (and bench/lab-ui.ts) launch, or null. */
export const CHROMIUM = findChromium();

/**
 * A suite of browser tests. Without a browser (outside CI) it reports one skipped test with the
 * install hint, so the runner's count of skipped tests says so too.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  const skip = needs('chromium');
  if (!skip) describe(name, fn);
  else describe(name, () => it('needs Chromium', { skip }, () => {}));
}

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  if (!CHROMIUM) throw new Error(needs('chromium') || 'no Chromium found');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export interface PageProblems {
  console: string[];
  failed: string[];
}

/** Records console errors, page errors, failed requests and HTTP errors on a page. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { console: [], failed: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.console.push(String(e)));
  page.on('requestfailed', (r) => {
    // Navigating away cancels prefetches and the lab socket; those are not failures.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.failed.push(`${r.url()} HTTP ${r.status()}`);
  });
  return problems;
}

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}
