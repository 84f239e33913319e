/**
 * `--trust-proxy` behind a real nginx (docs/hosting.md's configuration, which sets
 * X-Forwarded-For): learners from different addresses reach the server through the one proxy, and
 * the per-address join limit counts each of them, not the proxy; a peer that is not a trusted proxy
 * cannot pick its address by writing the header itself. The limit is set to one student an address
 * so that counting the proxy instead would refuse the second learner.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import { startLab, waitUntil } from '../helpers/lab.ts';
import { freePort } from '../helpers/free-port.ts';
import { startNginx, type TestNginx } from '../helpers/nginx.ts';
import { needs } from '../helpers/tools.ts';

interface Reply {
  type: string;
  code?: string;
}

/** One /class connection from `from`, joining; the answer (`joined`, or the error's code). */
async function join(port: number, from: string, code: string, nickname: string, headers: Record<string, string> = {}): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/class`, { localAddress: from, headers });
  const replies: Reply[] = [];
  ws.on('message', (d) => replies.push(JSON.parse(String(d)) as Reply));
  ws.on('error', () => {});
  try {
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.send(JSON.stringify({ type: 'join', code, nickname }));
    await waitUntil(() => replies.some((m) => m.type === 'joined' || m.type === 'error'), 5000, `an answer to ${nickname}'s join`);
    const answer = replies.find((m) => m.type === 'joined' || m.type === 'error')!;
    return answer.type === 'joined' ? 'joined' : answer.code!;
  } finally {
    ws.close();
  }
}

describe('--trust-proxy: per-address limits behind nginx count the learners, not the proxy', { skip: needs('nginx'), timeout: 60_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let nginx: TestNginx;
  let code: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-trust-proxy-'));
    const proxyPort = await freePort();
    server = await startLab({
      class: true,
      classData: path.join(dir, 'class.sqlite'),
      classChatPort: 41_890,
      classStudentsPerAddress: 1,
      trustProxy: '127.0.0.1/32',
      allowedOrigins: `http://127.0.0.1:${proxyPort}`,
    });
    code = server.classroom!.hub.info.code;
    nginx = await startNginx([server.port], proxyPort);
  });

  after(async () => {
    await nginx?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts each learner behind the proxy by the address nginx forwarded', async () => {
    assert.equal(await join(nginx.port, '127.0.0.2', code, 'Ada'), 'joined');
    // Without --trust-proxy both would be 127.0.0.1 (nginx), and this one would be E_LIMIT.
    assert.equal(await join(nginx.port, '127.0.0.3', code, 'Bob'), 'joined');
    // The limit still holds for each learner's own address.
    assert.equal(await join(nginx.port, '127.0.0.2', code, 'Cy'), 'E_LIMIT');
    // A header the learner wrote is not believed: nginx appends the real peer, and that is what counts.
    assert.equal(await join(nginx.port, '127.0.0.3', code, 'Dee', { 'x-forwarded-for': '127.0.0.77' }), 'E_LIMIT');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    assert.equal(await join(server.port, '127.0.0.4', code, 'Eve', { 'x-forwarded-for': '127.0.0.50' }), 'joined');
    // Another forged address from the same peer: still 127.0.0.4, which has had its one join.
    assert.equal(await join(server.port, '127.0.0.4', code, 'Fay', { 'x-forwarded-for': '127.0.0.51' }), 'E_LIMIT');
  });
});
