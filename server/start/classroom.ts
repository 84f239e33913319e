/**
 * Class hosting as the server starts it (--class): the class's store is opened before anything
 * listens (without better-sqlite3 a SQLite class cannot start: SqliteUnavailableError; a PostgreSQL
 * one that cannot be reached or refuses the credentials: StoreStartError), and the class itself once
 * the site's address is known, since the students' link carries it.
 */
import path from 'node:path';
import type { Config } from '../config.ts';
import { newJoinCode } from '../class/class-codes.ts';
import { createClassBus } from '../class/class-bus.ts';
import { ClassHub } from '../class/class-hub.ts';
import type { ClassStore } from '../class/class-store.ts';
import { isPostgresUrl, openStore } from '../class/store/open-store.ts';
import { openClass } from '../class/open-class.ts';
import type { Lab } from './lab.ts';
import { machineAddresses } from './addresses.ts';

export interface Classroom {
  hub: ClassHub;
  resumed: boolean;
  instructorUrl: string;
  studentUrl: string;
  /** Where the class is kept: a SQLite file, or the PostgreSQL URL without its password. */
  dataFile: string;
}

export async function openClassStore(config: Config, root: string): Promise<ClassStore | null> {
  return config.class ? openStore(config.classData, root) : null;
}

/**
 * The class, new or resumed, ready to take connections; `hub.start()` then starts its chat.
 * `url`: the site's address; `lan`: the address the class chat listens on (else 127.0.0.1).
 */
export async function createClassroom(store: ClassStore, config: Config, o: { root: string; url: string; lan: string | null; lab: Lab }): Promise<Classroom> {
  const dataFile = isPostgresUrl(config.classData) ? store.location : path.resolve(o.root, config.classData);
  const resumed = (await openClass(store, { title: config.classTitle, code: newJoinCode(), instructorKey: config.instructorKey ?? null, fresh: config.newClass })) === 'resumed';
  const settings = (await store.settings())!;
  const studentUrl = `${o.url}/class?code=${settings.code}`;
  const hub = await ClassHub.create({
    store,
    lab: o.lab.hub,
    sessionDeps: o.lab.sessionDeps,
    studentUrl,
    machineAddresses: machineAddresses(),
    chatAddress: o.lan ?? '127.0.0.1',
    chatPort: config.classChatPort ?? config.labPorts[0],
    allowedOrigins: config.allowedOrigins,
    studentsPerAddress: config.classStudentsPerAddress,
    bus: createClassBus(config.redis),
    // The one class chat may run on another instance: every thread's lab sockets may reach it.
    chatMoved: (chat) => {
      o.lab.policy.classChat = chat;
      o.lab.pool.setClassChat(chat);
    },
  });
  return { hub, resumed, instructorUrl: `${o.url}/class/instructor#key=${settings.instructorKey}`, studentUrl, dataFile };
}
