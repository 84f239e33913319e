/**
 * Admission for every WebSocket upgrade (/lab and /class), before any hub sees it: the host and
 * origin must be this server's own (origin.ts), and the connection must not come from one of the
 * lab's own sockets. A lab socket may connect to the site's port for the HTTP lesson and send a
 * plain GET, but upgrading would let it open nested lab sessions from 127.0.0.1, around the
 * per-address quota. A refusal is a 403 with a one-line reason, and no session is created.
 * Lab sockets live on the lab workers and the main thread (the class chat), so the question is
 * asked of all of them (`isLabConnection`), and the answer may take a turn of the event loop.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Endpoint } from '../protocol/index.ts';
import type { OriginCheck } from './origin.ts';

export class UpgradeGuard {
  /**
   * `labAddress`: whether a lab socket could have this address (the policy's addresses); others
   * (a student's own machine) are never looked up among the engine's sockets, which costs a
   * getsockname() per open lab socket.
   */
  constructor(
    private readonly origins: OriginCheck,
    private readonly isLabConnection: (from: Endpoint, to: Endpoint) => boolean | Promise<boolean>,
    private readonly labAddress: (address: string) => boolean,
  ) {}

  /** Why this upgrade is refused, or null. */
  async refusal(req: IncomingMessage): Promise<string | null> {
    const fromHost = this.origins.refusal(req);
    if (fromHost) return fromHost;
    const { remoteAddress, remotePort, localAddress, localPort } = req.socket;
    if (
      remoteAddress &&
      remotePort &&
      localAddress &&
      localPort &&
      this.labAddress(remoteAddress) &&
      (await this.isLabConnection({ address: remoteAddress, port: remotePort }, { address: localAddress, port: localPort }))
    ) {
      return 'a lab socket may fetch pages from this server but not open the lab or the class itself';
    }
    return null;
  }

  /** Answers 403 and returns false when refused; true when the upgrade may go on. */
  async admit(req: IncomingMessage, socket: Duplex): Promise<boolean> {
    const reason = await this.refusal(req);
    if (reason === null) return true;
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nRefused: ${reason}.\n`);
    return false;
  }
}
