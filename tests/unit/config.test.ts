/**
 * loadConfig(argv, env): defaults, flags over environment, and a ConfigError naming the setting
 * for every bad value, so an instructor's typo stops the server before anything listens.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, ConfigSchema, SETTINGS, helpText, loadConfig } from '../../server/config.ts';

/** Runs loadConfig expecting a ConfigError; returns its message. */
function refusal(argv: string[], env: Record<string, string | undefined> = {}): string {
  try {
    loadConfig(argv, env, { warn: () => {} });
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.name, 'ConfigError');
    return e.message;
  }
  assert.fail(`loadConfig(${JSON.stringify(argv)}, ${JSON.stringify(env)}) should have thrown`);
}

describe('defaults', () => {
  test('no flags and an empty environment give the documented defaults', () => {
    const c = loadConfig([], {});
    // Compared setting by setting, so a setting added later does not break this test.
    const documented = {
      port: 3000,
      host: '127.0.0.1',
      dev: false,
      engine: 'auto',
      labPorts: [41000, 41999],
      labAddresses: [],
      maxSockets: 16,
      maxSendBytes: 65536,
      commandsPerSecond: 20,
      idleSeconds: 900,
      heartbeatSeconds: 30,
      sessionsPerAddress: 32,
      allowedOrigins: [],
      labOnly: false,
      quiet: false,
    };
    const picked = Object.fromEntries(Object.keys(documented).map((k) => [k, c[k as keyof typeof c]]));
    assert.deepEqual(picked, documented);
    for (const [key, value] of Object.entries(c)) assert.notEqual(value, undefined, `${key} has no default`);
  });

  test('unrelated and empty environment variables are ignored', () => {
    const c = loadConfig([], { PATH: '/usr/bin', PORT: '', SOCKETLAB_LAB_PORTS: '', HOME: '/root' });
    assert.equal(c.port, 3000);
    assert.deepEqual(c.labPorts, [41000, 41999]);
  });
});

describe('environment and flags', () => {
  test('the environment is used when no flag is given', () => {
    const c = loadConfig([], {
      PORT: '8080',
      SOCKETLAB_HOST: '192.168.1.10',
      SOCKETLAB_LAB_PORTS: '42000-42099',
      SOCKETLAB_LAB_ADDRESSES: '192.168.1.10, fd00::2',
      SOCKETLAB_MAX_SOCKETS: '4',
      SOCKETLAB_ENGINE: 'node',
      SOCKETLAB_DEV: 'yes',
      SOCKETLAB_QUIET: '0',
    });
    assert.equal(c.port, 8080);
    assert.equal(c.host, '192.168.1.10');
    assert.deepEqual(c.labPorts, [42000, 42099]);
    assert.deepEqual(c.labAddresses, ['192.168.1.10', 'fd00::2']);
    assert.equal(c.maxSockets, 4);
    assert.equal(c.engine, 'node');
    assert.equal(c.dev, true);
    assert.equal(c.quiet, false);
  });

  test('a flag wins over the environment variable for the same setting', () => {
    const c = loadConfig(['--port', '4000', '--lab-ports=43000-43010', '--engine', 'native', '--dev'], {
      PORT: '8080',
      SOCKETLAB_LAB_PORTS: '42000-42099',
      SOCKETLAB_ENGINE: 'node',
      SOCKETLAB_DEV: 'false',
      SOCKETLAB_MAX_SOCKETS: '4',
    });
    assert.equal(c.port, 4000);
    assert.deepEqual(c.labPorts, [43000, 43010]);
    assert.equal(c.engine, 'native');
    assert.equal(c.dev, true);
    // Settings without a flag still come from the environment.
    assert.equal(c.maxSockets, 4);
  });

  test('port 0 (pick a free port) and "localhost" as host are accepted', () => {
    const c = loadConfig(['--port', '0', '--host', 'localhost'], {});
    assert.equal(c.port, 0);
    assert.equal(c.host, 'localhost');
  });

  test('an IPv6 host is accepted', () => {
    assert.equal(loadConfig(['--host', '::1'], {}).host, '::1');
  });
});

describe('bad values throw a ConfigError naming the flag or variable', () => {
  test('--port 70000 is out of range', () => {
    const m = refusal(['--port', '70000']);
    assert.match(m, /--port="70000"/);
  });

  test('PORT=abc is not a number, and the message names PORT (not the flag)', () => {
    const m = refusal([], { PORT: 'abc' });
    assert.match(m, /PORT="abc"/);
    assert.doesNotMatch(m, /--port/);
  });

  test('SOCKETLAB_LAB_PORTS=5-3 is backwards', () => {
    const m = refusal([], { SOCKETLAB_LAB_PORTS: '5-3' });
    assert.match(m, /SOCKETLAB_LAB_PORTS="5-3"/);
  });

  test('SOCKETLAB_LAB_PORTS=41000-41005 holds fewer than 10 ports', () => {
    const m = refusal([], { SOCKETLAB_LAB_PORTS: '41000-41005' });
    assert.match(m, /SOCKETLAB_LAB_PORTS="41000-41005"/);
    assert.match(m, /at least 10 ports/);
  });

  test('SOCKETLAB_LAB_PORTS=41000-41009 (exactly 10 ports) is accepted: the limit is inclusive', () => {
    assert.deepEqual(loadConfig([], { SOCKETLAB_LAB_PORTS: '41000-41009' }).labPorts, [41000, 41009]);
  });

  test('SOCKETLAB_LAB_PORTS=80-200 is below 1024', () => {
    const m = refusal([], { SOCKETLAB_LAB_PORTS: '80-200' });
    assert.match(m, /SOCKETLAB_LAB_PORTS="80-200"/);
    assert.match(m, /1024/);
  });

  test('--lab-ports that is not a range at all', () => {
    const m = refusal(['--lab-ports', '41000']);
    assert.match(m, /--lab-ports="41000"/);
  });

  test('SOCKETLAB_LAB_ADDRESSES with a host name among the addresses', () => {
    const m = refusal([], { SOCKETLAB_LAB_ADDRESSES: '192.168.1.10,lab.example.org' });
    assert.match(m, /SOCKETLAB_LAB_ADDRESSES=/);
    assert.match(m, /lab\.example\.org/);
    assert.match(m, /literal IPv4 or IPv6/);
  });

  test('an unknown flag is refused and the usage text follows', () => {
    const m = refusal(['--prot', '3000']);
    assert.match(m, /--prot/);
    assert.ok(m.includes(helpText()), 'the usage text is part of the message');
  });

  test('a positional argument is refused', () => {
    const m = refusal(['3000']);
    assert.match(m, /3000/);
  });

  test('--host that is not an IP address (nor localhost)', () => {
    const m = refusal(['--host', 'example.com']);
    assert.match(m, /--host="example\.com"/);
  });

  test('SOCKETLAB_HOST from the environment that is not an IP address names SOCKETLAB_HOST', () => {
    const m = refusal([], { SOCKETLAB_HOST: 'my-laptop' });
    assert.match(m, /SOCKETLAB_HOST="my-laptop"/);
  });

  test('an unknown engine name', () => {
    const m = refusal(['--engine', 'fast']);
    assert.match(m, /--engine="fast"/);
  });

  test('a boolean variable with a value that is not yes/no', () => {
    const m = refusal([], { SOCKETLAB_DEV: 'maybe' });
    assert.match(m, /SOCKETLAB_DEV="maybe"/);
  });

  test('several bad settings are all named in one message', () => {
    const m = refusal(['--max-sockets', '0'], { SOCKETLAB_IDLE_SECONDS: '1' });
    assert.match(m, /--max-sockets="0"/);
    assert.match(m, /SOCKETLAB_IDLE_SECONDS="1"/);
  });
});

describe('--help', () => {
  test('throws a ConfigError whose message is exactly the usage text', () => {
    const m = refusal(['--help']);
    assert.equal(m, helpText());
  });

  test('the usage text lists every flag with its environment variable', () => {
    const h = helpText();
    assert.match(h, /^Usage:/);
    for (const [flag, env] of [
      ['--port', 'PORT'],
      ['--host', 'SOCKETLAB_HOST'],
      ['--lab-ports', 'SOCKETLAB_LAB_PORTS'],
      ['--lab-addresses', 'SOCKETLAB_LAB_ADDRESSES'],
      ['--engine', 'SOCKETLAB_ENGINE'],
      ['--max-sockets', 'SOCKETLAB_MAX_SOCKETS'],
      ['--allowed-origins', 'SOCKETLAB_ALLOWED_ORIGINS'],
    ]) {
      assert.match(h, new RegExp(`${flag}\\s+${env}\\s`), `${flag} and ${env} on one line`);
    }
  });

  test('--help wins even when other settings are bad', () => {
    assert.equal(refusal(['--help'], { PORT: 'abc' }), helpText());
  });

  test('every setting of the schema has one line: its flag, its variable and its description', () => {
    const lines = helpText().split('\n');
    const keys = Object.keys(ConfigSchema.shape);
    assert.deepEqual(SETTINGS.map((s) => s.key), keys, 'one setting per schema field, in order');
    for (const s of SETTINGS) {
      const kebab = s.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      assert.equal(s.flag, kebab);
      assert.equal(s.env, s.key === 'port' ? 'PORT' : `SOCKETLAB_${kebab.replaceAll('-', '_').toUpperCase()}`, 'one prefix for every variable but PORT');
      assert.ok(s.help.length > 10, `${s.key} is described`);
      const line = lines.filter((l) => l.trimStart().startsWith(`--${s.flag} `));
      assert.equal(line.length, 1, `--${s.flag} has one line`);
      assert.match(line[0], new RegExp(`--${s.flag}\\s+${s.env}\\s+`));
      assert.ok(line[0].includes(s.help), `the line for --${s.flag} carries its description`);
    }
    for (const s of SETTINGS.filter((x) => x.oldEnv)) assert.ok(helpText().includes(s.oldEnv!), `the old name ${s.oldEnv} is listed`);
  });

  test('defaults shown in the help are the schema\'s own', () => {
    const h = helpText();
    assert.match(h, /--max-sockets\s+SOCKETLAB_MAX_SOCKETS\s.*\(default 16\)/);
    assert.match(h, /--lab-ports\s+SOCKETLAB_LAB_PORTS\s.*\(default 41000-41999\)/);
    assert.match(h, /--class-title\s+SOCKETLAB_CLASS_TITLE\s.*\(default Socket Lab class\)/);
  });
});

describe('old variable names (before the one SOCKETLAB_ prefix)', () => {
  function load(env: Record<string, string>, argv: string[] = []) {
    const warnings: string[] = [];
    const config = loadConfig(argv, env, { warn: (line) => warnings.push(line) });
    return { config, warnings };
  }

  const cases: { old: string; now: string; value: string; key: keyof ReturnType<typeof loadConfig>; expected: unknown }[] = [
    { old: 'HOST', now: 'SOCKETLAB_HOST', value: '192.168.1.10', key: 'host', expected: '192.168.1.10' },
    { old: 'LAB_PORTS', now: 'SOCKETLAB_LAB_PORTS', value: '42000-42099', key: 'labPorts', expected: [42000, 42099] },
    { old: 'LAB_MAX_SOCKETS', now: 'SOCKETLAB_MAX_SOCKETS', value: '4', key: 'maxSockets', expected: 4 },
    { old: 'LAB_COMMANDS_PER_SECOND', now: 'SOCKETLAB_COMMANDS_PER_SECOND', value: '1000', key: 'commandsPerSecond', expected: 1000 },
    { old: 'CLASS_TITLE', now: 'SOCKETLAB_CLASS_TITLE', value: 'Networks 101', key: 'classTitle', expected: 'Networks 101' },
    { old: 'CLASS_STUDENTS_PER_ADDRESS', now: 'SOCKETLAB_CLASS_STUDENTS_PER_ADDRESS', value: '300', key: 'classStudentsPerAddress', expected: 300 },
    { old: 'INSTRUCTOR_KEY', now: 'SOCKETLAB_INSTRUCTOR_KEY', value: 'k'.repeat(20), key: 'instructorKey', expected: 'k'.repeat(20) },
    { old: 'NEW_CLASS', now: 'SOCKETLAB_NEW_CLASS', value: '1', key: 'newClass', expected: true },
  ];

  for (const c of cases) {
    test(`${c.old} still works, with one warning naming ${c.now}`, () => {
      const { config, warnings } = load({ [c.old]: c.value });
      assert.deepEqual(config[c.key], c.expected);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.ok(warnings[0].includes(c.old) && warnings[0].includes(c.now), warnings[0]);
      assert.doesNotMatch(warnings[0], /\n/, 'one line');
    });

    test(`${c.now} works, without a warning`, () => {
      const { config, warnings } = load({ [c.now]: c.value });
      assert.deepEqual(config[c.key], c.expected);
      assert.deepEqual(warnings, []);
    });
  }

  test('every renamed setting reads its old name exactly as its new one', () => {
    const renamed = SETTINGS.filter((x) => x.oldEnv);
    assert.ok(renamed.length >= 15);
    for (const s of renamed) {
      // The same text under either name: the same setting, or the same refusal naming that name.
      const value = s.boolean ? '1' : (s.defaultText ?? 'x');
      const outcome = (name: string) => {
        try {
          return { value: load({ [name]: value }).config[s.key] };
        } catch (e) {
          assert.ok(e instanceof ConfigError);
          return { error: e.message.replace(`${name}=`, 'NAME=') };
        }
      };
      assert.deepEqual(outcome(s.oldEnv!), outcome(s.env), s.oldEnv);
    }
  });

  test('when both names are set the new one wins, and the warning says so', () => {
    const { config, warnings } = load({ LAB_PORTS: '42000-42099', SOCKETLAB_LAB_PORTS: '43000-43099' });
    assert.deepEqual(config.labPorts, [43000, 43099]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /both LAB_PORTS and SOCKETLAB_LAB_PORTS/);
    assert.match(warnings[0], /using SOCKETLAB_LAB_PORTS/);
  });

  test('a flag wins over both names', () => {
    const { config } = load({ LAB_MAX_SOCKETS: '4', SOCKETLAB_MAX_SOCKETS: '5' }, ['--max-sockets', '6']);
    assert.equal(config.maxSockets, 6);
  });

  test('a bad value under the old name is reported under the old name', () => {
    const m = refusal([], { LAB_PORTS: '5-3' });
    assert.match(m, /LAB_PORTS="5-3"/);
    assert.doesNotMatch(m, /SOCKETLAB_LAB_PORTS/);
  });

  test('an empty old variable is unset, and says nothing', () => {
    const { config, warnings } = load({ LAB_PORTS: '' });
    assert.deepEqual(config.labPorts, [41000, 41999]);
    assert.deepEqual(warnings, []);
  });

  test('PORT keeps its name', () => {
    const { config, warnings } = load({ PORT: '4000' });
    assert.equal(config.port, 4000);
    assert.deepEqual(warnings, []);
  });
});

describe('loadConfig: lab addresses are single addresses', () => {
  for (const value of ['0.0.0.0', '::', '127.0.0.1,0.0.0.0']) {
    test(`SOCKETLAB_LAB_ADDRESSES=${value} is refused (it would mean every interface)`, () => {
      const message = refusal([], { SOCKETLAB_LAB_ADDRESSES: value });
      assert.match(message, /SOCKETLAB_LAB_ADDRESSES/);
      assert.match(message, /every interface/);
    });
  }
});
