/** The shared class-store suite (class-store.shared.ts) against the SQLite engine, on temp files. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { MIGRATIONS, SqliteClassStore } from '../../server/class/store/sqlite-store.ts';
import { classStoreSuite } from './class-store.shared.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-store-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

classStoreSuite('sqlite', {
  schemaVersion: MIGRATIONS.length,
  async fresh() {
    const file = path.join(dir, `class-${n++}.sqlite`);
    return { store: await SqliteClassStore.open(file), another: () => SqliteClassStore.open(file) };
  },
});
