/** Listening on the one port, and the address to print for it. */
import type http from 'node:http';

/** Resolves once the server listens; rejects with the listen error (EADDRINUSE, EACCES...). */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/**
 * The site's address as people should type it: on every interface (0.0.0.0, ::) that is the LAN
 * address when there is one, else localhost; an IPv6 address goes in brackets.
 */
export function siteUrl(host: string, port: number, lan: string | null): string {
  const shownHost = host === '0.0.0.0' || host === '::' ? (lan ?? 'localhost') : host;
  const shown = shownHost.includes(':') ? `[${shownHost}]` : shownHost;
  return `http://${shown}:${port}`;
}
