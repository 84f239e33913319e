/**
 * The class QR code's SVG (server/class/qr.ts), drawn by Chromium as the instructor's dashboard
 * shows it (a base64 data URL in a 224 px <img>, as app/_components/class/JoinInfo.tsx), then read back from a canvas and decoded with jsQR.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';
import { qrSvg } from '../../server/class/qr.ts';
import { describeInBrowser, launch } from '../helpers/browser.ts';

describeInBrowser('the class QR code in Chromium', () => {
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  for (const url of ['http://192.168.1.20:3000/class', 'http://[2001:db8::20]:3000/class?code=ABCD-EFGH']) {
    it(`the SVG scans as ${url}`, async () => {
      const page = await browser.newPage();
      try {
        await page.setContent(`<body style="margin:0;background:#fff"><img id="qr" alt="" width="224" height="224" style="padding:8px;background:#fff" src="data:image/svg+xml;base64,${Buffer.from(qrSvg(url)).toString('base64')}"></body>`);
        const pixels = await page.evaluate(async () => {
          const img = document.getElementById('qr') as HTMLImageElement;
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = 256;
          const ctx = canvas.getContext('2d')!;
          ctx.fillStyle = '#fff';
          ctx.fillRect(0, 0, 256, 256);
          ctx.drawImage(img, 16, 16, 224, 224);
          return Array.from(ctx.getImageData(0, 0, 256, 256).data);
        });
        const found = jsQR(Uint8ClampedArray.from(pixels), 256, 256);
        assert.ok(found, 'jsQR found no code');
        assert.equal(found.data, url);
      } finally {
        await page.close();
      }
    });
  }
});
