/**
 * The build-time scenario check (content/scenario-schema.ts, scripts/check-scenarios.ts): every real
 * scenario passes it, and each kind of broken scenario is caught with a message naming the step.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { scenarioProblems } from '../../content/scenario-schema.ts';
import { SCENARIOS, SCENARIO_NAMES, isScenarioName } from '../../content/scenarios/index.ts';
import { checkAllScenarios, checkScenarioFile } from '../../scripts/check-scenarios.ts';
import { checkLessonFile } from '../../scripts/check-content.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A small scenario that passes; each test breaks one thing in a copy. */
function good() {
  return {
    name: 'tiny',
    title: 'A tiny scenario',
    summary: 'A server socket, bound and listening, then closed.',
    steps: [
      { op: 'socket', args: { type: 'tcp', actor: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A TCP socket.' } as Record<string, unknown>,
      { op: 'bind', args: { sock: '$srv', address: '127.0.0.1', port: 0 }, save: { port: 'port' }, expect: 'ok', explain: 'Bind it.' },
      { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'Listen.' },
      { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Close.' },
    ],
  };
}

function withStep(i: number, change: Record<string, unknown>) {
  const s = good();
  s.steps[i] = { ...s.steps[i], ...change };
  return s;
}

function assertProblem(input: unknown, pattern: RegExp): string[] {
  const problems = scenarioProblems(input);
  assert.ok(problems.some((p) => pattern.test(p)), `no problem matches ${pattern}; problems were:\n${problems.join('\n') || '(none)'}`);
  return problems;
}

describe('every real scenario passes the check', () => {
  test('one file per listed scenario, each without errors, and the index in file order of the picker', async () => {
    const reports = await checkAllScenarios();
    const files = readdirSync(path.join(ROOT, 'content/scenarios')).filter((f) => f !== 'index.ts');
    assert.deepEqual(reports.map((r) => r.file).sort(), files.map((f) => `content/scenarios/${f}`).sort());
    for (const r of reports) assert.deepEqual(r.errors, [], `${r.file}:\n  ${r.errors.join('\n  ')}`);
    assert.deepEqual([...SCENARIO_NAMES].sort(), files.map((f) => f.slice(0, -3)).sort());
    for (const n of SCENARIO_NAMES) assert.equal(SCENARIOS[n].name, n);
  });

  test('isScenarioName knows the listed names only', () => {
    assert.equal(isScenarioName('tcp-hello'), true);
    assert.equal(isScenarioName('no-such-scenario'), false);
    assert.equal(isScenarioName('toString'), false);
  });

  test('the small scenario these tests break passes', () => {
    assert.deepEqual(scenarioProblems(good()), []);
  });
});

describe('scenarioProblems on broken scenarios', () => {
  test('an op the protocol does not have', () => {
    assertProblem(withStep(2, { op: 'listenn' }), /steps\.2\.op: /);
  });

  test('an argument of the wrong type, checked with the protocol\'s schema', () => {
    assertProblem(withStep(1, { args: { sock: '$srv', address: '127.0.0.1', port: 'eighty' } }), /^step 2 \(bind\): args\.port: /);
  });

  test('a missing argument and an argument the op does not take', () => {
    const problems = assertProblem(withStep(2, { args: { backlog: 5, blocking: true } }), /^step 3 \(listen\): args\.sock: /);
    assert.ok(problems.some((p) => /^step 3 \(listen\): args: .*blocking/.test(p)), problems.join('\n'));
  });

  test('a saved name used before the step that saves it', () => {
    assertProblem(withStep(1, { args: { sock: '$later', address: '127.0.0.1', port: 0 } }), /^step 2 \(bind\): \$later is used before any earlier step saves it/);
  });

  test('a page value inside text is fine; an unknown name inside text is not', () => {
    const s = good();
    s.steps.splice(3, 0, { op: 'send', args: { sock: '$srv', data: 'Host: $host\r\n' }, expect: 'ENOTCONN', explain: 'Send on a listening socket.' });
    assert.deepEqual(scenarioProblems(s), []);
    s.steps[3] = { ...s.steps[3], args: { sock: '$srv', data: 'Host: $hots\r\n' } };
    assertProblem(s, /^step 4 \(send\): \$hots is used before/);
  });

  test('names inside nested arguments (poll\'s list of sockets) are checked like top-level ones', () => {
    const twoSockets = good();
    twoSockets.steps.splice(3, 0,
      { op: 'socket', args: { type: 'tcp', actor: 'client' }, save: { cli: 'sock' }, expect: 'ok', explain: 'A client socket.' },
      { op: 'poll', args: { socks: [{ sock: '$srv', events: ['in'] }, { sock: '$cli', events: ['out'] }], timeout: 0 }, expect: 'ok', explain: 'Look at both.' },
    );
    assert.deepEqual(scenarioProblems(twoSockets), [], 'two saved handles stand in as two different sockets');
    const early = good();
    early.steps.splice(3, 0, { op: 'poll', args: { socks: [{ sock: '$nobody', events: ['in'] }], timeout: 0 }, expect: 'ok', explain: 'Look.' });
    assertProblem(early, /step 4 \(poll\): \$nobody is used before any earlier step saves it/);
  });

  test('a name saved twice (the runner would keep the first value)', () => {
    assertProblem(withStep(1, { save: { srv: 'port' } }), /^step 2 \(bind\): save srv: \$srv is already saved by an earlier step/);
    assertProblem(withStep(1, { save: { host: 'port' } }), /^step 2 \(bind\): save host: \$host is already given by the page/);
  });

  test('a save on a step that expects an error (there is no result to save)', () => {
    assertProblem(withStep(1, { expect: 'EADDRINUSE' }), /^step 2 \(bind\): save port: a step that expects EADDRINUSE has no result to save/);
  });

  test('a save of a field the op\'s result does not have', () => {
    assertProblem(withStep(1, { save: { port: 'prot' } }), /^step 2 \(bind\): save port: a bind result has no field "prot"/);
  });

  test('an expectation that is neither ok, blocked, eof nor an error code', () => {
    assertProblem(withStep(3, { expect: 'fine' }), /steps\.3\.expect: expect is 'ok', 'blocked', 'eof' or an error code/);
  });

  test('a name that is not lowercase words joined by -', () => {
    assertProblem({ ...good(), name: 'Tiny Scenario' }, /^name: lowercase words joined by -/);
  });
});

describe('the files and the index', () => {
  test('a scenario whose name is not its file name, and that the index does not list', async () => {
    const r = await checkScenarioFile(path.join(ROOT, 'tests/fixtures/scenarios/misnamed.ts'));
    assert.equal(r.file, 'tests/fixtures/scenarios/misnamed.ts');
    assert.ok(r.errors.some((e) => /name is "some-other-name" but the file is misnamed\.ts/.test(e)), r.errors.join('\n'));
    assert.ok(r.errors.some((e) => /not listed in content\/scenarios\/index\.ts/.test(e)), r.errors.join('\n'));
  });

  test('a lesson whose <SocketLab> names a scenario that does not exist', async () => {
    const r = await checkLessonFile(path.join(ROOT, 'tests/fixtures/content/unknown-scenario.mdx'), 2);
    assert.deepEqual(r.errors, ['<SocketLab scenario="no-such-scenario">: no such scenario in content/scenarios/index.ts']);
  });
});
