/**
 * Lesson 12: "serve HTTP on server port 80: GET / answers 200". The check is the browser: a real
 * TCP connection from laptop through the router to 203.0.113.80:80, a real `GET /` request, and
 * the status line of whatever comes back, parsed. Any server passes: a program in a lab shell, or
 * one the learner makes with lab calls.
 *
 * A server made by hand (accept, recv, send, one click each) cannot answer within a probe's few
 * seconds, so a request that got no answer yet is kept open, one per network, for ANSWER_WAIT_MS:
 * the learner accepts it, reads it, answers, and presses Check again, which reads the answer on
 * that same connection. The kept socket is the network's (closed with it) and closed by a timer.
 */
import type { EngineSocket } from '../../engines/types.ts';
import type { ChallengeCheck, Endpoint } from '../../protocol/index.ts';
import type { SandboxNetwork } from '../../sandbox/index.ts';
import { ipv4Of } from './addresses.ts';
import type { NetworkChecker } from './context.ts';
import { connectFailure, connectWithin, readLineWithin, PROBE_TIMEOUT_MS } from './probes.ts';

export const HTTP_PORT = 80;
/** How long a request without an answer waits for the learner's hand-made server. */
export const ANSWER_WAIT_MS = 120_000;

interface Waiting {
  sock: EngineSocket;
  local: Endpoint;
  /** Bytes of the status line read on an earlier check, before its newline arrived. */
  partial: string;
  timer: NodeJS.Timeout;
}

const waiting = new WeakMap<SandboxNetwork, Waiting>();

export function requestText(server: string): string {
  return `GET / HTTP/1.1\r\nHost: ${server}\r\nConnection: close\r\n\r\n`;
}

export const serveHttp200: NetworkChecker = async ({ network }) => {
  const server = ipv4Of('server');
  const checks: ChallengeCheck[] = [];
  let kept = waiting.get(network);
  if (kept) {
    checks.push({
      name: `laptop's request from the last check is still open (${kept.local.address}:${kept.local.port} → ${server}:${HTTP_PORT})`,
      passed: true,
      detail: 'the lab reads the answer on that same connection',
    });
  } else {
    const sock = await network.socket('laptop', 'tcp', 4);
    const outcome = await connectWithin(sock, server, HTTP_PORT);
    checks.push({
      name: `laptop connects to ${server}:${HTTP_PORT} through the router`,
      passed: outcome.connected,
      detail: outcome.connected ? `connected from ${outcome.local.address}:${outcome.local.port}` : connectFailure(outcome),
    });
    if (!outcome.connected) {
      sock.close();
      return checks;
    }
    try {
      await sock.send(Buffer.from(requestText(server)), { blocking: false, signal: new AbortController().signal, onBlocked: () => {} });
    } catch (e) {
      sock.close();
      throw e;
    }
    kept = keep(network, sock, outcome.local);
  }

  const back = await readLineWithin(kept.sock);
  const said = kept.partial + ('line' in back ? back.line : back.got);
  if ('timedOut' in back) {
    kept.partial = said;
    checks.push({
      name: `server answers laptop's GET / within ${PROBE_TIMEOUT_MS / 1000} s`,
      passed: false,
      detail: said
        ? `only "${clip(said)}" so far, no full status line`
        : `no answer yet. The request waits on server: if your server is made of lab calls, accept() it, recv() the request, send() a response starting "HTTP/1.1 200 OK", then press Check again (this request stays open ${ANSWER_WAIT_MS / 60_000} minutes)`,
    });
    return checks;
  }
  forget(network, kept);
  if (!('line' in back)) {
    checks.push({
      name: `server answers laptop's GET / with a status line`,
      passed: false,
      detail: 'eof' in back ? `server closed the connection after ${said ? `"${clip(said)}" without a newline` : 'sending nothing'}` : `recv failed: ${back.errno}`,
    });
    return checks;
  }
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(said);
  checks.push({
    name: 'the answer starts with an HTTP status line',
    passed: status !== null,
    detail: status ? `"${clip(said)}"` : `"${clip(said)}" is not one: a status line reads like "HTTP/1.1 200 OK"`,
  });
  if (status) {
    checks.push({
      name: 'the status is 200 (OK)',
      passed: status[1] === '200',
      detail: status[1] === '200' ? 'status 200' : `status ${status[1]}: the server answered, but not "here it is"`,
    });
  }
  return checks;
};

function keep(network: SandboxNetwork, sock: EngineSocket, local: Endpoint): Waiting {
  const entry: Waiting = { sock, local, partial: '', timer: setTimeout(() => forget(network, entry), ANSWER_WAIT_MS) };
  entry.timer.unref();
  waiting.set(network, entry);
  return entry;
}

function forget(network: SandboxNetwork, entry: Waiting): void {
  clearTimeout(entry.timer);
  entry.sock.close();
  if (waiting.get(network) === entry) waiting.delete(network);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
