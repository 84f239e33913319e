/**
 * The build-time check of network scenarios (content/network-scenario-schema.ts,
 * scripts/check-network-scenarios.ts): every real one passes, and each kind of broken one is caught
 * with a message naming the step, its network parts and its calls alike.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { networkScenarioProblems } from '../../content/network-scenario-schema.ts';
import { NETWORK_SCENARIOS, isNetworkScenarioName } from '../../content/network-scenarios/index.ts';
import { checkAllNetworkScenarios, checkNetworkScenarioFile } from '../../scripts/check-network-scenarios.ts';
import { checkLessonFile } from '../../scripts/check-content.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A small network scenario that passes; each test breaks one thing in a copy. */
function good() {
  return {
    name: 'tiny-net',
    title: 'A tiny network scenario',
    summary: 'Create the network, make a socket on server, and look at the router.',
    steps: [
      { op: 'network', args: { action: 'create', topology: 'home' }, expect: 'ok', explain: 'Create.', teaches: 'Four hosts.' } as Record<string, unknown>,
      { op: 'socket', args: { type: 'tcp', host: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A socket.', teaches: 'On server.', look: [{ view: 'neighbours', host: 'router' }] },
      { op: 'bind', args: { sock: '$srv', address: '203.0.113.80', port: 80 }, expect: 'ok', explain: 'Bind.', teaches: 'Port 80.', look: [{ view: 'forwards' }] },
    ],
  };
}

function withStep(i: number, change: Record<string, unknown>) {
  const s = good();
  s.steps[i] = { ...s.steps[i], ...change };
  return s;
}

function assertProblem(input: unknown, pattern: RegExp) {
  const problems = networkScenarioProblems(input);
  assert.ok(problems.some((p) => pattern.test(p)), `no problem matches ${pattern}; problems were:\n${problems.join('\n') || '(none)'}`);
}

describe('every real network scenario passes the check', () => {
  test('one file per listed scenario, each without errors', async () => {
    const reports = await checkAllNetworkScenarios();
    const files = readdirSync(path.join(ROOT, 'content/network-scenarios')).filter((f) => f !== 'index.ts');
    assert.deepEqual(reports.map((r) => r.file).sort(), files.map((f) => `content/network-scenarios/${f}`).sort());
    for (const r of reports) assert.deepEqual(r.errors, [], `${r.file}:\n  ${r.errors.join('\n  ')}`);
    assert.equal(files.length, 6, 'one for each of lessons 2-6 and 12');
  });

  test('isNetworkScenarioName knows the listed names only', () => {
    assert.ok(isNetworkScenarioName('arp-and-hops'));
    assert.ok(!isNetworkScenarioName('tcp-hello'), 'a socket scenario is not a network scenario');
    assert.ok(!isNetworkScenarioName('toString'));
    for (const [k, s] of Object.entries(NETWORK_SCENARIOS)) assert.equal(s.name, k);
  });

  test('the small scenario these tests break passes', () => {
    assert.deepEqual(networkScenarioProblems(good()), []);
  });
});

describe('networkScenarioProblems on broken scenarios', () => {
  test('a step without teaches', () => {
    const s = good();
    delete s.steps[1].teaches;
    assertProblem(s, /^step 2: teaches: /);
  });

  test('a look at a table the view does not have, or at a host that does not exist', () => {
    assertProblem(withStep(1, { look: [{ view: 'arp', host: 'laptop' }] }), /^step 2: look\.0: a look is/);
    assertProblem(withStep(1, { look: [{ view: 'routes', host: 'printer' }] }), /^step 2: look\.0: a look is/);
    assertProblem(withStep(1, { look: [{ view: 'routes' }] }), /^step 2: look\.0: a look is/);
  });

  test('a first step that does not create the network', () => {
    const s = good();
    s.steps.shift();
    assertProblem(s, /^step 1: a network scenario starts with/);
  });

  test('a second create, and a destroy (the learner keeps the network)', () => {
    const s = good();
    s.steps.push({ op: 'network', args: { action: 'create', topology: 'home' }, expect: 'ok', explain: 'Again.', teaches: 'No.' });
    s.steps.push({ op: 'network', args: { action: 'destroy' }, expect: 'ok', explain: 'Gone.', teaches: 'No.' });
    assertProblem(s, /^step 4 \(network\): the network is created once/);
    assertProblem(s, /^step 5 \(network\): a network scenario leaves the network up/);
  });

  test('the calls are checked like a socket scenario\'s: arguments against the protocol, names before use', () => {
    assertProblem(withStep(1, { args: { type: 'tcp', host: 'printer' } }), /^step 2 \(socket\): args\.host/);
    assertProblem(withStep(2, { args: { sock: '$nobody', address: '203.0.113.80', port: 80 } }), /\$nobody is used before any earlier step saves it/);
    assertProblem(withStep(1, { explain: undefined }), /explain/);
  });
});

describe('the files and the lessons', () => {
  test('a scenario whose name is not its file name, and that the index does not list', async () => {
    const r = await checkNetworkScenarioFile(path.join(ROOT, 'tests/fixtures/network-scenarios/misnamed.ts'));
    assert.ok(r.errors.some((e) => /name is "some-other-name" but the file is misnamed\.ts/.test(e)), r.errors.join('\n'));
    assert.ok(r.errors.some((e) => /not listed in content\/network-scenarios\/index\.ts/.test(e)), r.errors.join('\n'));
  });

  test('a lesson whose <NetworkLab> names a scenario that does not exist', async () => {
    const r = await checkLessonFile(path.join(ROOT, 'tests/fixtures/content/unknown-network-scenario.mdx'), 2);
    assert.deepEqual(r.errors, ['<NetworkLab scenario="no-such-network-scenario">: no such scenario in content/network-scenarios/index.ts']);
  });
});
