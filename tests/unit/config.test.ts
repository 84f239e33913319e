/**
 * loadConfig(argv, env): defaults, flags over environment, and a ConfigError naming the setting
 * for every bad value, so an instructor's typo stops the server before anything listens.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, helpText, loadConfig } from '../../server/config.ts';

/** Runs loadConfig expecting a ConfigError; returns its message. */
function refusal(argv: string[], env: Record<string, string | undefined> = {}): string {
  try {
    loadConfig(argv, env);
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
    const c = loadConfig([], { PATH: '/usr/bin', PORT: '', LAB_PORTS: '', HOME: '/root' });
    assert.equal(c.port, 3000);
    assert.deepEqual(c.labPorts, [41000, 41999]);
  });
});

describe('environment and flags', () => {
  test('the environment is used when no flag is given', () => {
    const c = loadConfig([], {
      PORT: '8080',
      HOST: '192.168.1.10',
      LAB_PORTS: '42000-42099',
      LAB_ADDRESSES: '192.168.1.10, fd00::2',
      LAB_MAX_SOCKETS: '4',
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
      LAB_PORTS: '42000-42099',
      SOCKETLAB_ENGINE: 'node',
      SOCKETLAB_DEV: 'false',
      LAB_MAX_SOCKETS: '4',
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

  test('LAB_PORTS=5-3 is backwards', () => {
    const m = refusal([], { LAB_PORTS: '5-3' });
    assert.match(m, /LAB_PORTS="5-3"/);
  });

  test('LAB_PORTS=41000-41005 holds fewer than 10 ports', () => {
    const m = refusal([], { LAB_PORTS: '41000-41005' });
    assert.match(m, /LAB_PORTS="41000-41005"/);
    assert.match(m, /at least 10 ports/);
  });

  test('LAB_PORTS=41000-41009 (exactly 10 ports) is accepted: the limit is inclusive', () => {
    assert.deepEqual(loadConfig([], { LAB_PORTS: '41000-41009' }).labPorts, [41000, 41009]);
  });

  test('LAB_PORTS=80-200 is below 1024', () => {
    const m = refusal([], { LAB_PORTS: '80-200' });
    assert.match(m, /LAB_PORTS="80-200"/);
    assert.match(m, /1024/);
  });

  test('--lab-ports that is not a range at all', () => {
    const m = refusal(['--lab-ports', '41000']);
    assert.match(m, /--lab-ports="41000"/);
  });

  test('LAB_ADDRESSES with a host name among the addresses', () => {
    const m = refusal([], { LAB_ADDRESSES: '192.168.1.10,lab.example.org' });
    assert.match(m, /LAB_ADDRESSES=/);
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

  test('HOST from the environment that is not an IP address names HOST', () => {
    const m = refusal([], { HOST: 'my-laptop' });
    assert.match(m, /HOST="my-laptop"/);
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
    const m = refusal(['--max-sockets', '0'], { LAB_IDLE_SECONDS: '1' });
    assert.match(m, /--max-sockets="0"/);
    assert.match(m, /LAB_IDLE_SECONDS="1"/);
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
      ['--host', 'HOST'],
      ['--lab-ports', 'LAB_PORTS'],
      ['--lab-addresses', 'LAB_ADDRESSES'],
      ['--engine', 'SOCKETLAB_ENGINE'],
      ['--max-sockets', 'LAB_MAX_SOCKETS'],
      ['--allowed-origins', 'LAB_ALLOWED_ORIGINS'],
    ]) {
      assert.match(h, new RegExp(`${flag}\\s+${env}\\s`), `${flag} and ${env} on one line`);
    }
  });

  test('--help wins even when other settings are bad', () => {
    assert.equal(refusal(['--help'], { PORT: 'abc' }), helpText());
  });
});

describe('loadConfig: lab addresses are single addresses', () => {
  for (const value of ['0.0.0.0', '::', '127.0.0.1,0.0.0.0']) {
    test(`LAB_ADDRESSES=${value} is refused (it would mean every interface)`, () => {
      const message = refusal([], { LAB_ADDRESSES: value });
      assert.match(message, /LAB_ADDRESSES/);
      assert.match(message, /every interface/);
    });
  }
});
