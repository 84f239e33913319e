/**
 * Nicknames as people write their names, against a real class server and its SQLite file: which
 * are accepted (and how they are stored), which are refused, which collide with one already in the
 * class (case in any script, normalisation, look-alike letters), and a class file from before the
 * nickname keys, migrated in place.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { loadSqlite } from '../../server/class/sqlite.ts';
import { startLab } from '../helpers/lab.ts';
import { instructor, keyOf, openPeer } from './class.shared.ts';

const dirs: string[] = [];
const servers: RunningServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function classServer(chatPort: number, dataFile?: string): Promise<{ server: RunningServer; code: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-nick-'));
  dirs.push(dir);
  const server = await startLab({ class: true, classData: dataFile ?? path.join(dir, 'class.sqlite'), classChatPort: chatPort });
  servers.push(server);
  return { server, code: server.classroom!.hub.info.code };
}

/** Tries a join on a connection of its own: the stored nickname, or the error code. */
async function tryJoin(port: number, code: string, nickname: string): Promise<{ joined: string } | { error: string }> {
  const p = await openPeer(port);
  try {
    p.send({ type: 'join', code, nickname });
    const reply = await p.reply();
    return reply.type === 'joined' ? { joined: reply.student.nickname } : { error: reply.code };
  } finally {
    p.close();
  }
}

describe('nicknames', { timeout: 60_000 }, () => {
  it('accepts real names in any script, normalised to NFC with single spaces', async () => {
    const { server, code } = await classServer(41870);
    const accepted: [string, string][] = [
      ['प्रिया', 'प्रिया'], // Devanagari with a virama and vowel signs (combining marks)
      ['தமிழ்', 'தமிழ்'], // Tamil ending in a virama
      ['Zoe\u0308', 'Zo\u00eb'], // a decomposed ë is stored precomposed
      ['Émile', 'Émile'],
      ['Nguyễn Văn An', 'Nguyễn Văn An'],
      ['李小龙', '李小龙'],
      ['مريم', 'مريم'],
      ["O'Brien", "O'Brien"],
      ['Jean-Luc', 'Jean-Luc'],
      ['  Ana \u00a0 Lee ', 'Ana Lee'], // white space of any kind, collapsed
      ['Lan', 'Lan'],
      ['Ian', 'Ian'], // not "lan": a capital I and a capital L do not look alike
      ['x'.repeat(32), 'x'.repeat(32)],
    ];
    for (const [typed, stored] of accepted) assert.deepEqual(await tryJoin(server.port, code, typed), { joined: stored }, typed);
  });

  it('refuses what is not a name', async () => {
    const { server, code } = await classServer(41875);
    const refused = [
      '',
      '   ',
      'x'.repeat(33),
      '<b>Bo</b>',
      'Bo\u202eb', // a bidi override
      'Bo\u200bb', // a zero-width space
      '\u0301Bo', // a mark with nothing to sit on
      'Bo 👋',
      '.Bo',
    ];
    for (const n of refused) assert.deepEqual(await tryJoin(server.port, code, n), { error: 'E_BAD_REQUEST' }, JSON.stringify(n));
  });

  it('refuses a nickname that is one already in the class: case, normalisation, look-alikes', async () => {
    const { server, code } = await classServer(41880);
    const collisions: [string, string][] = [
      ['Émile', 'émile'], // case beyond ASCII (SQLite's NOCASE let both in)
      ['Zo\u00eb', 'Zoe\u0308'], // precomposed and decomposed
      ['alice', '\u0430lice'], // a Cyrillic а
      ['Peter', '\u0420eter'], // a Cyrillic Р
      ['Alfred', 'AIfred'], // a capital i for an l
      ['STRASSE', 'straße'], // full case folding: ß is ss
      ['ΣΟΦΊΑ', 'σοφία'], // Greek, upper and lower
      ["Dan O'Neil", 'Dan O\u2019Neil'], // a typographic apostrophe
      ['Full', '\uff26\uff55\uff4c\uff4c'], // full-width letters
      ['Bo Li', 'bo  li'],
    ];
    for (const [first, second] of collisions) {
      assert.ok('joined' in (await tryJoin(server.port, code, first)), first);
      assert.deepEqual(await tryJoin(server.port, code, second), { error: 'E_NICK_TAKEN' }, `${second} beside ${first}`);
    }
    // Different names stay different.
    for (const n of ['Emile', 'Anna', 'Ana', 'प्रिय', 'Alicia']) assert.ok('joined' in (await tryJoin(server.port, code, n)), n);
  });

  it('migrates a class file from before the nickname keys, keeping every student', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-migrate-'));
    dirs.push(dir);
    const file = path.join(dir, 'old.sqlite');
    // The schema as the first release wrote it, with two students NOCASE let in as two names.
    const Sqlite = await loadSqlite();
    const old = new Sqlite(file);
    old.exec(`
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE students (id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, nickname TEXT NOT NULL,
        joined_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, lab_calls INTEGER NOT NULL DEFAULT 0, lab_errors INTEGER NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX students_nickname ON students (nickname COLLATE NOCASE);
      CREATE TABLE progress (student_id INTEGER NOT NULL REFERENCES students (id), slug TEXT NOT NULL, read INTEGER NOT NULL,
        quiz_score INTEGER, quiz_total INTEGER, quiz_passed INTEGER, updated_at INTEGER NOT NULL, PRIMARY KEY (student_id, slug));
      INSERT INTO settings VALUES ('code', 'K7Q3MX'), ('instructorKey', 'key_ABCDEFGHIJKLMNOP_1234'), ('title', 'Old class'), ('startedAt', '1');
      INSERT INTO students (token, nickname, joined_at, last_seen) VALUES
        ('tok_emile_upper_000001', 'Émile', 1, 1), ('tok_emile_lower_000002', 'émile', 2, 2), ('tok_alice_0000000003', 'alice', 3, 3);
      INSERT INTO progress VALUES (2, 'sockets', 1, 3, 5, 0, 2);
    `);
    old.close();

    const { server, code } = await classServer(41885, file);
    assert.equal(code, 'K7Q3MX', 'the old class resumes');
    const teacher = await instructor(server.port, keyOf(server));
    assert.deepEqual(
      teacher.dashboard!.students.map((s) => [s.nickname, s.lessons.sockets?.quiz?.score ?? null]),
      [
        ['Émile', null],
        ['émile', 3],
        ['alice', null],
      ],
    );
    const back = await openPeer(server.port);
    back.send({ type: 'resume', token: 'tok_emile_lower_000002' });
    assert.equal((await back.next('joined')).student.nickname, 'émile');
    back.close();
    for (const n of ['ÉMILE', 'ALICE', '\u0430lice']) assert.deepEqual(await tryJoin(server.port, code, n), { error: 'E_NICK_TAKEN' }, n);
    assert.ok('joined' in (await tryJoin(server.port, code, 'Bob')));
    teacher.close();
  });
});
