import { describe, it } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { defineSemanticsSuite } from './lab-semantics.shared.ts';

const addon = loadNativeAddon();
if (addon) defineSemanticsSuite('native');
else if (process.env.CI === 'true') {
  describe('native engine', () => {
    it('is built (npm install builds it with node-gyp)', () => {
      throw new Error('the native addon is not built; CI must be able to build it');
    });
  });
} else {
  describe('native engine', { skip: 'the native addon is not built here (run `node scripts/build-addon.mjs`); only the fallback engine is tested' }, () => {
    it('semantics', () => {});
  });
}
