/**
 * The code view's programs are real: run the tcp-hello scenario on the real lab, generate the
 * server and client programs from its steps, then run them against each other (Python server with
 * a C client, C server with a Python client, Node server with a Python client) and check they
 * exchange the same bytes the lab did.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { Step } from '../../server/protocol/index.ts';
import { parseProcNet } from '../../server/kernel/procnet.ts';
import { ScenarioRunner } from '../../app/_lib/lab/scenario-runner.ts';
import { SCENARIOS } from '../../content/scenarios/index.ts';
import { generatePrograms, type Language } from '../../app/_lib/lab/codegen/index.ts';
import { connect, startLab, waitUntil } from '../helpers/lab.ts';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function listening(port: number): boolean {
  const rows = [...parseProcNet(readFileSync('/proc/net/tcp', 'utf8'), 'tcp')];
  return rows.some((r) => r.state === 'LISTEN' && r.local.port === port);
}

describe('programs generated from a lab session run for real', () => {
  let server: RunningServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-codegen-'));
    server = await startLab({});
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A fresh lab session of tcp-hello for each pair of programs: whichever program closes first keeps
   * the port in TIME_WAIT for a minute, and the generated server (like the lab) sets no SO_REUSEADDR.
   */
  async function session(): Promise<{ steps: Step[]; port: number }> {
    const c = await connect(server);
    const runner = new ScenarioRunner(SCENARIOS['tcp-hello'], c.client, { siteAddress: '127.0.0.1', sitePort: server.port, host: `127.0.0.1:${server.port}` });
    while (!runner.done) {
      const out = await runner.next();
      assert.equal(out?.actual, out?.step.expect, `${out?.step.op}`);
    }
    const steps = c.steps();
    c.client.close();
    return { steps, port: (steps.find((s) => s.op === 'bind' && s.status === 'ok')!.result as { port: number }).port };
  }

  function write(steps: Step[], language: Language): Record<string, string> {
    const files: Record<string, string> = {};
    for (const p of generatePrograms(steps, language)) {
      const file = path.join(dir, `${language}-${p.fileName}`);
      writeFileSync(file, p.source);
      files[p.actor] = file;
    }
    assert.deepEqual(Object.keys(files).sort(), ['client', 'server']);
    return files;
  }

  function command(language: Language, file: string): [string, string[]] {
    if (language === 'python') return ['python3', [file]];
    if (language === 'node') return [process.execPath, ['--import', 'tsx', file]];
    const exe = file.replace(/\.c$/, '');
    execFileSync('cc', ['-Wall', '-Wextra', '-Werror', '-o', exe, file]);
    return [exe, []];
  }

  async function pair(serverLang: Language, clientLang: Language) {
    const { steps, port } = await session();
    const [sCmd, sArgs] = command(serverLang, write(steps, serverLang).server);
    const [cCmd, cArgs] = command(clientLang, write(steps, clientLang).client);
    const srv = spawn(sCmd, sArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let serverOut = '';
    srv.stdout.on('data', (d) => (serverOut += d));
    srv.stderr.on('data', (d) => (serverOut += d));
    try {
      await waitUntil(() => listening(port), 10_000, `the ${serverLang} server to listen on ${port}`);
      const cli = spawnSync(cCmd, cArgs, { encoding: 'utf8', timeout: 15_000 });
      assert.equal(cli.status, 0, cli.stderr);
      const serverDone = await new Promise<number | null>((resolve) => (srv.exitCode !== null ? resolve(srv.exitCode) : srv.once('exit', resolve)));
      assert.equal(serverDone, 0, serverOut);
      return { server: serverOut, client: cli.stdout };
    } finally {
      srv.kill();
    }
  }

  it('the generated Python and C programs compile', { skip: has('cc') ? false : 'no C compiler (cc)' }, async () => {
    const { steps } = await session();
    for (const f of Object.values(write(steps, 'c'))) execFileSync('cc', ['-Wall', '-Wextra', '-Werror', '-fsyntax-only', f]);
    for (const f of Object.values(write(steps, 'python'))) execFileSync('python3', ['-m', 'py_compile', f]);
  });

  it('a Python server and a C client exchange the lab\'s bytes', { skip: has('cc') && has('python3') ? false : 'needs cc and python3', timeout: 30_000 }, async () => {
    const out = await pair('python', 'c');
    assert.match(out.server, /recv -> b'hello\\n'/);
    assert.match(out.client, /recv -> 12 bytes "hi, client!\\n"/);
  });

  it('a C server and a Python client exchange the lab\'s bytes', { skip: has('cc') && has('python3') ? false : 'needs cc and python3', timeout: 30_000 }, async () => {
    const out = await pair('c', 'python');
    assert.match(out.server, /recv -> 6 bytes "hello\\n"/);
    assert.match(out.client, /recv -> b'hi, client!\\n'/);
  });

  it('a Node.js server and a Python client exchange the lab\'s bytes', { skip: has('python3') ? false : 'needs python3', timeout: 30_000 }, async () => {
    const out = await pair('node', 'python');
    assert.match(out.server, /recv -> "hello\\n"/);
    assert.match(out.client, /recv -> b'hi, client!\\n'/);
  });
});
