/**
 * "Export as a program" (app/_lib/lab/codegen): escaping of payloads, grouping of a session's steps
 * into one program per actor, and — for a real-looking session — that the Python and C sources it
 * writes are accepted by python3 and by cc with every warning an error.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Step } from '../../server/protocol/index.ts';
import { cString, cProgram } from '../../app/_lib/lab/codegen/c.ts';
import { programName, programsFromSteps, payloadBytes, boundPort } from '../../app/_lib/lab/codegen/common.ts';
import { generatePrograms } from '../../app/_lib/lab/codegen/index.ts';
import { pyBytes, pythonProgram } from '../../app/_lib/lab/codegen/python.ts';
import { needs } from '../helpers/tools.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Fixtures are written loosely (any args, any result, any code); the cast below is the test's, not the product's. */
type LooseStep = Omit<Step, 'args' | 'result' | 'error'> & { args: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: string; message: string } };
let t = 1_700_000_000_000;
function step(seq: number, actor: string, op: Step['op'], args: Record<string, unknown>, outcome: Partial<LooseStep> = {}): Step {
  t += 5;
  const sock = typeof args.sock === 'string' ? args.sock : undefined;
  const loose: LooseStep = { event: 'step', seq, id: seq, actor, op, sock, args, status: 'ok', result: {}, start: t, end: t + 1, ...outcome };
  return loose as Step;
}
const ok = (result: Record<string, unknown>): Partial<LooseStep> => ({ status: 'ok', result });
const failed = (code: string): Partial<LooseStep> => ({ status: 'error', result: undefined, error: { code, message: code } });
const blocked: Partial<LooseStep> = { status: 'blocked', result: undefined, end: undefined };

/**
 * The tcp-hello scenario (content/scenarios/tcp-hello.ts) as the server would report it: the lab picked
 * port 41234 for bind(port 0); the client's kernel chose 50000.
 */
const TCP_HELLO: Step[] = [
  step(1, 'server', 'socket', { type: 'tcp', actor: 'server' }, ok({ sock: 's1', fd: 21 })),
  step(2, 'server', 'bind', { sock: 's1', address: '127.0.0.1', port: 0 }, ok({ address: '127.0.0.1', port: 41234 })),
  step(3, 'server', 'listen', { sock: 's1', backlog: 5 }, ok({ backlog: 5 })),
  step(4, 'client', 'socket', { type: 'tcp', actor: 'client' }, ok({ sock: 's2', fd: 22 })),
  step(5, 'client', 'connect', { sock: 's2', address: '127.0.0.1', port: 41234 }, ok({ local: { address: '127.0.0.1', port: 50000 } })),
  step(6, 'server', 'accept', { sock: 's1' }, ok({ sock: 's3', fd: 23, peer: { address: '127.0.0.1', port: 50000 }, local: { address: '127.0.0.1', port: 41234 } })),
  step(7, 'client', 'send', { sock: 's2', data: 'hello\n' }, ok({ bytes: 6 })),
  step(8, 'server', 'recv', { sock: 's3' }, ok({ data: 'hello\n', base64: 'aGVsbG8K', bytes: 6 })),
  step(9, 'server', 'send', { sock: 's3', data: 'hi, client!\n' }, ok({ bytes: 12 })),
  step(10, 'client', 'recv', { sock: 's2' }, ok({ data: 'hi, client!\n', base64: 'aGksIGNsaWVudCEK', bytes: 12 })),
  step(11, 'client', 'close', { sock: 's2' }, ok({})),
  step(12, 'server', 'close', { sock: 's3' }, ok({})),
  step(13, 'server', 'close', { sock: 's1' }, ok({})),
];

describe('pyBytes', () => {
  test('printable ASCII is kept, control characters use Python escapes', () => {
    assert.equal(pyBytes(utf8('hello\n')), 'b"hello\\n"');
    assert.equal(pyBytes(utf8('a\r\n\tb')), 'b"a\\r\\n\\tb"');
  });
  test('quote and backslash are escaped', () => {
    assert.equal(pyBytes(utf8('say "hi" \\o/')), 'b"say \\"hi\\" \\\\o/"');
  });
  test('non-ASCII text becomes its UTF-8 bytes as \\x escapes', () => {
    assert.equal(pyBytes(utf8('é')), 'b"\\xc3\\xa9"');
    assert.equal(pyBytes(utf8('€!')), 'b"\\xe2\\x82\\xac!"');
    assert.equal(pyBytes(Uint8Array.of(0, 0x7f, 0xff)), 'b"\\x00\\x7f\\xff"');
  });
  test('empty payload', () => {
    assert.equal(pyBytes(new Uint8Array()), 'b""');
  });
});

describe('cString', () => {
  test('printable ASCII is kept, control characters use C escapes', () => {
    assert.equal(cString(utf8('hello\n')), '"hello\\n"');
    assert.equal(cString(utf8('a\r\n\tb')), '"a\\r\\n\\tb"');
  });
  test('quote and backslash are escaped', () => {
    assert.equal(cString(utf8('"x"\\')), '"\\"x\\"\\\\"');
  });
  test('non-ASCII UTF-8 bytes become three-digit octal escapes (a following digit cannot join them)', () => {
    assert.equal(cString(utf8('é1')), '"\\303\\2511"');
    assert.equal(cString(Uint8Array.of(0, 0x7f)), '"\\000\\177"');
  });
  test('"?" is written as an escape so "??/" can never become a trigraph', () => {
    assert.equal(cString(utf8('??/')), '"\\077\\077/"');
  });
});

describe('programsFromSteps', () => {
  test('groups steps by actor, in seq order, keeping the real results', () => {
    const shuffled = [TCP_HELLO[4], TCP_HELLO[0], TCP_HELLO[3], TCP_HELLO[2], TCP_HELLO[1]];
    const programs = programsFromSteps(shuffled);
    assert.deepEqual(
      programs.map((p) => [p.actor, p.steps.map((s) => s.op)]),
      [
        ['server', ['socket', 'bind', 'listen']],
        ['client', ['socket', 'connect']],
      ],
    );
    assert.deepEqual(programs[0].steps[1], { op: 'bind', sock: 's1', args: TCP_HELLO[1].args, result: { address: '127.0.0.1', port: 41234 }, errno: undefined });
    assert.equal(boundPort(programs[0].steps[1]), 41234, 'the port the lab picked, not the 0 that was asked for');
  });

  test('a blocked step is dropped; its completion (same seq) is kept once', () => {
    const steps = [
      ...TCP_HELLO.slice(0, 3),
      step(4, 'server', 'accept', { sock: 's1' }, blocked),
      step(5, 'client', 'socket', { type: 'tcp' }, ok({ sock: 's2', fd: 22 })),
      step(4, 'server', 'accept', { sock: 's1' }, ok({ sock: 's3', fd: 23, peer: { address: '127.0.0.1', port: 50000 }, local: { address: '127.0.0.1', port: 41234 } })),
    ];
    const server = programsFromSteps(steps).find((p) => p.actor === 'server')!;
    assert.deepEqual(server.steps.map((s) => s.op), ['socket', 'bind', 'listen', 'accept']);
    assert.equal(server.steps[3].result?.sock, 's3');
  });

  test('lab refusals (E_POLICY, E_NO_SOCKET...) and kernel snapshots are dropped; kernel errnos are kept', () => {
    const steps = [
      step(1, 'client', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 3 })),
      step(2, 'client', 'connect', { sock: 's1', address: '8.8.8.8', port: 53 }, failed('E_POLICY')),
      step(3, 'client', 'send', { sock: 's9', data: 'x' }, failed('E_NO_SOCKET')),
      step(4, 'client', 'kernel', {}, ok({ rows: [] })),
      step(5, 'client', 'connect', { sock: 's1', address: '127.0.0.1', port: 41999 }, failed('ECONNREFUSED')),
    ];
    const [client] = programsFromSteps(steps);
    assert.deepEqual(
      client.steps.map((s) => [s.op, s.errno]),
      [
        ['socket', undefined],
        ['connect', 'ECONNREFUSED'],
      ],
    );
  });

  test('payloadBytes decodes base64 payloads exactly and encodes text as UTF-8', () => {
    assert.deepEqual([...payloadBytes({ op: 'send', args: { data: 'AP8K', encoding: 'base64' } })], [0, 255, 10]);
    assert.deepEqual([...payloadBytes({ op: 'send', args: { data: 'é' } })], [0xc3, 0xa9]);
  });
});

describe('generatePrograms', () => {
  test('one file per actor, named from the actor, with the language\'s extension', () => {
    const steps = [
      step(1, 'server', 'socket', { type: 'udp' }, ok({ sock: 's1', fd: 3 })),
      step(2, 'client 2', 'socket', { type: 'udp' }, ok({ sock: 's2', fd: 4 })),
      step(3, 'Web Browser', 'socket', { type: 'tcp' }, ok({ sock: 's3', fd: 5 })),
    ];
    assert.deepEqual(
      generatePrograms(steps, 'python').map((p) => [p.actor, p.fileName, p.language]),
      [
        ['server', 'server.py', 'python'],
        ['client 2', 'client-2.py', 'python'],
        ['Web Browser', 'web-browser.py', 'python'],
      ],
    );
    assert.deepEqual(generatePrograms(steps, 'c').map((p) => p.fileName), ['server.c', 'client-2.c', 'web-browser.c']);
    assert.deepEqual(generatePrograms(steps, 'node').map((p) => p.fileName), ['server.ts', 'client-2.ts', 'web-browser.ts']);
  });

  test('programName: punctuation collapses to single dashes; nothing usable gives "program"', () => {
    assert.equal(programName('client 2'), 'client-2');
    assert.equal(programName('  my_server.v2 '), 'my-server-v2');
    assert.equal(programName('...'), 'program');
  });

  test('no steps, no programs', () => {
    assert.deepEqual(generatePrograms([], 'python'), []);
  });

  // bind(port 0) asks the lab to pick; a program that binds 0 gets some other port, and its peer,
  // which was generated with the lab's port, sends to nobody.
  const UDP_PICKED: Step[] = [
    step(1, 'receiver', 'socket', { type: 'udp' }, ok({ sock: 's1', fd: 3 })),
    step(2, 'receiver', 'bind', { sock: 's1', address: '127.0.0.1', port: 0 }, ok({ address: '127.0.0.1', port: 41077 })),
    step(3, 'receiver', 'recvfrom', { sock: 's1', max: 100 }, ok({ data: 'ping', base64: 'cGluZw==', bytes: 4, from: { address: '127.0.0.1', port: 41078 } })),
  ];
  const BIND_LINE: Record<'python' | 'c' | 'node', RegExp> = {
    python: /^s1\.bind\(\("127\.0\.0\.1", (\d+)\)\)$/m,
    c: /^ {4}len = make_addr\(&addr, "127\.0\.0\.1", (\d+)\);$/m,
    node: /^ {2}s1\.bind\((\d+), "127\.0\.0\.1"\);$/m,
  };
  for (const language of ['python', 'c', 'node'] as const) {
    test(`${language}: a UDP bind(port 0) uses the port the lab picked`, () => {
      const [p] = generatePrograms(UDP_PICKED, language);
      assert.equal(BIND_LINE[language].exec(p.source)?.[1], '41077', p.source);
    });
  }
});

describe('the Python program', () => {
  test('a step the kernel refused is wrapped in try/except that prints the errno; the others are not', () => {
    const [client] = programsFromSteps([
      step(1, 'client', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 3 })),
      step(2, 'client', 'connect', { sock: 's1', address: '127.0.0.1', port: 41999 }, failed('ECONNREFUSED')),
    ]);
    const src = pythonProgram(client);
    assert.match(src, /^s1 = socket\.socket\(socket\.AF_INET, socket\.SOCK_STREAM\)$/m);
    assert.match(
      src,
      /# connect: the lab got ECONNREFUSED\ntry:\n {4}s1\.connect\(\("127\.0\.0\.1", 41999\)\)\n {4}print\("connect -> local address", s1\.getsockname\(\)\)\nexcept OSError as err:\n {4}refused\("connect", err\)\n/,
    );
    assert.equal(src.match(/^try:$/gm)?.length, 1, 'only the refused step is wrapped');
  });

  test('tcp-hello: the calls, in order, with the port the lab picked', () => {
    const server = generatePrograms(TCP_HELLO, 'python').find((p) => p.actor === 'server')!.source;
    const calls = server.split('\n').filter((l) => /^s\d/.test(l));
    assert.deepEqual(calls, [
      's1 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
      's1.bind(("127.0.0.1", 41234))',
      's1.listen(5)',
      's3, peer = s1.accept()',
      's3.close()',
      's1.close()',
    ]);
    assert.match(server, /^data = s3\.recv\(4096\)$/m);
    assert.match(server, /print\("send ->", s3\.send\(b"hi, client!\\n"\), "bytes"\)/);
  });
});

describe('the C program', () => {
  test('a refused step is reported, and a socket handle is declared once', () => {
    const [client] = programsFromSteps([
      step(1, 'client', 'socket', { type: 'tcp', family: 6 }, ok({ sock: 's1', fd: 3 })),
      step(2, 'client', 'connect', { sock: 's1', address: '::1', port: 41999 }, failed('ECONNREFUSED')),
      step(3, 'client', 'close', { sock: 's1' }, ok({})),
    ]);
    const src = cProgram(client);
    assert.match(src, /\/\* connect: the lab got ECONNREFUSED \*\//);
    assert.match(src, /int s1 = \(int\)report\("socket", socket\(AF_INET6, SOCK_STREAM, 0\)\);/);
    assert.equal(src.match(/int s1\b/g)?.length, 1);
    assert.match(src, /It uses IPv6 loopback/);
  });
});

describe('the generated sources compile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-codegen-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Besides tcp-hello, a session with odd payloads, UDP, IPv6, non-blocking calls and kernel errors.
  const ODD: Step[] = [
    step(1, 'peer one', 'socket', { type: 'udp', family: 6 }, ok({ sock: 's1', fd: 3 })),
    step(2, 'peer one', 'bind', { sock: 's1', address: '::1', port: 0 }, ok({ address: '::1', port: 41001 })),
    step(3, 'peer one', 'sendto', { sock: 's1', data: 'é "q" \\ ??/ \t\r\n', address: '::1', port: 41002 }, ok({ bytes: 17 })),
    step(4, 'peer one', 'sendto', { sock: 's1', data: 'AP8=', encoding: 'base64', address: '::1', port: 41002 }, ok({ bytes: 2 })),
    step(5, 'peer one', 'setblocking', { sock: 's1', blocking: false }, ok({})),
    step(6, 'peer one', 'recvfrom', { sock: 's1', max: 100 }, failed('EAGAIN')),
    step(7, 'peer one', 'socket', { type: 'tcp' }, ok({ sock: 's2', fd: 4 })),
    step(8, 'peer one', 'setblocking', { sock: 's2', blocking: false }, ok({})),
    step(9, 'peer one', 'connect', { sock: 's2', address: '127.0.0.1', port: 41003 }, failed('EINPROGRESS')),
    step(10, 'peer one', 'shutdown', { sock: 's2', how: 'write' }, failed('ENOTCONN')),
    step(11, 'peer one', 'recv', { sock: 's2', max: 10 }, failed('ECONNREFUSED')),
    step(12, 'peer one', 'close', { sock: 's2' }, ok({})),
    step(13, 'peer one', 'close', { sock: 's1' }, ok({})),
  ];
  const SESSIONS = { 'tcp-hello': TCP_HELLO, odd: ODD };

  for (const [name, steps] of Object.entries(SESSIONS)) {
    test(`${name}: Python compiles (python3 -m py_compile)`, { skip: needs('python3') }, () => {
      for (const p of generatePrograms(steps, 'python')) {
        const file = path.join(dir, `${name}-${p.fileName}`);
        writeFileSync(file, p.source);
        execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe', timeout: 20_000 });
      }
    });

    test(`${name}: C compiles (cc -std=c99 -Wall -Wextra -Werror -c)`, { skip: needs('cc') }, () => {
      for (const p of generatePrograms(steps, 'c')) {
        const file = path.join(dir, `${name}-${p.fileName}`);
        writeFileSync(file, p.source);
        const r = spawnSync('cc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-c', file, '-o', `${file}.o`], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(r.status, 0, `${p.fileName} failed to compile:\n${r.stderr}\n--- source ---\n${p.source}`);
      }
    });
  }

  test(
    'a program without recv or bind (socket + close) also compiles with -Werror',
    {
      skip: needs('cc'),
    },
    () => {
      const steps = [step(1, 'lonely', 'socket', { type: 'tcp' }, ok({ sock: 's1', fd: 3 })), step(2, 'lonely', 'close', { sock: 's1' }, ok({}))];
      const [p] = generatePrograms(steps, 'c');
      const file = path.join(dir, p.fileName);
      writeFileSync(file, p.source);
      const r = spawnSync('cc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-c', file, '-o', `${file}.o`], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
    },
  );
});
