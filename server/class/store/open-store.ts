/**
 * Which engine holds the class: `--class-data` with a `postgres://` (or `postgresql://`) URL is
 * PostgreSQL; any other URL is refused (E_CLASS_DATA_URL); anything else is a SQLite file path,
 * relative to the project.
 */
import path from 'node:path';
import { StoreStartError, type ClassStore } from '../class-store.ts';
import { PostgresClassStore } from './postgres-store.ts';
import { SqliteClassStore } from './sqlite-store.ts';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(classData: string): boolean {
  return POSTGRES_URL.test(classData);
}

export async function openStore(classData: string, root: string): Promise<ClassStore> {
  if (isPostgresUrl(classData)) return PostgresClassStore.open(classData);
  if (URL_LIKE.test(classData)) {
    throw new StoreStartError('E_CLASS_DATA_URL', `--class-data: ${classData.split('://')[0]}:// is not a database this server speaks; give a postgres:// URL or a file path for SQLite.`);
  }
  return SqliteClassStore.open(path.resolve(root, classData));
}
