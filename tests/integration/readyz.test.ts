/**
 * GET /readyz on a started server: 200 with what it is up for, for a proxy's health check. The
 * window before the class is up (503 for everything, upgrades refused) is held open and checked in
 * class-store-postgres.test.ts, where the class can be made to wait on a database lock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startLab } from '../helpers/lab.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-readyz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('GET /readyz', { timeout: 60_000 }, () => {
  for (const withClass of [false, true]) {
    it(`answers 200 once the server has started (${withClass ? 'with a SQLite class' : 'no class'}), JSON, never cached`, async () => {
      const server = await startLab(withClass ? { class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41990 } : {});
      try {
        assert.equal(server.readiness.ready, true);
        const res = await fetch(`http://127.0.0.1:${server.port}/readyz`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/json');
        assert.equal(res.headers.get('cache-control'), 'no-store');
        assert.deepEqual(await res.json(), { ready: true, stopping: false, waitingFor: [] });
        const head = await fetch(`http://127.0.0.1:${server.port}/readyz`, { method: 'HEAD' });
        assert.equal(head.status, 200);
      } finally {
        await server.close();
      }
      assert.equal(server.readiness.ready, false, 'a stopping server is not ready');
    });
  }
});
