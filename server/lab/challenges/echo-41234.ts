/**
 * The server-side lesson: "run a server in your terminal that echoes one line on port 41234". The
 * lab connects to it on this machine's loopback (the lab's policy applies: the port must be inside
 * its range), sends one line with a fresh nonce, and reads one line back.
 */
import { randomBytes } from 'node:crypto';
import type { ChallengeCheck } from '../../protocol/index.ts';
import type { LoopbackChecker } from './context.ts';
import { connectFailure, connectWithin, Probes, readLineWithin, PROBE_TIMEOUT_MS } from './probes.ts';

export const ECHO_ADDRESS = '127.0.0.1';
export const ECHO_PORT = 41234;

export const echo41234: LoopbackChecker = async ({ policy, socket }) => {
  policy.checkDestination(ECHO_ADDRESS, ECHO_PORT);
  const probes = new Probes();
  try {
    const sock = await probes.add(socket);
    const outcome = await connectWithin(sock, ECHO_ADDRESS, ECHO_PORT);
    const checks: ChallengeCheck[] = [
      {
        name: `the lab connects to ${ECHO_ADDRESS}:${ECHO_PORT}`,
        passed: outcome.connected,
        detail: outcome.connected ? `connected from ${outcome.local.address}:${outcome.local.port}` : connectFailure(outcome),
      },
    ];
    if (!outcome.connected) return checks;
    const line = `hello from the lab ${randomBytes(4).toString('hex')}`;
    await sock.send(Buffer.from(`${line}\n`), { blocking: false, signal: new AbortController().signal, onBlocked: () => {} });
    const back = await readLineWithin(sock);
    const said = 'line' in back ? back.line : back.got;
    checks.push({
      name: `it sends "${line}" and reads the same line back`,
      passed: 'line' in back && back.line === line,
      detail:
        'line' in back
          ? back.line === line
            ? `read back "${back.line}"`
            : `read back "${clip(back.line)}", not the line sent`
          : 'eof' in back
            ? `the server closed the connection after ${said ? `"${clip(said)}" without a newline` : 'sending nothing'}`
            : 'timedOut' in back
              ? `no full line within ${PROBE_TIMEOUT_MS / 1000} s${said ? ` (got "${clip(said)}")` : ''}`
              : `recv failed: ${back.errno}`,
    });
    return checks;
  } finally {
    probes.close();
  }
};

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
