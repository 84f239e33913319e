/**
 * A real lab server (in this process, with the site) and a real Chromium for one suite of browser
 * tests: started before the suite's tests, both closed after them however they ended. Call it in
 * the suite's `describe` body; the fields are there once its tests run.
 *
 *   describe('...', () => {
 *     const lab = labInBrowser({ sandboxNetworks: 0 });
 *     it('...', async () => { const page = await lab.browser.newPage(); await page.goto(lab.server.url); });
 *   });
 */
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import type { Config } from '../../server/config.ts';
import { launch } from './browser.ts';
import { startLab } from './lab.ts';

export interface LabInBrowser {
  server: RunningServer;
  browser: Browser;
}

/** `overrides`: the server's configuration beside the site (`labOnly: false`) and the tests' defaults (tests/helpers/lab.ts). */
export function labInBrowser(overrides: Partial<Record<keyof Config, unknown>> = {}): LabInBrowser {
  const suite = {} as LabInBrowser;
  before(async () => {
    suite.server = await startLab({ labOnly: false, ...overrides });
    suite.browser = await launch();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
