'use client';
import ipaddr from 'ipaddr.js';

/** True when the URL's host is this machine's loopback (127.0.0.0/8, ::1 or localhost). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}

/**
 * A class started without --host gives students a link on loopback, which only this machine can
 * open; the QR code beside it looks fine and silently fails on every phone. Say so before the link,
 * with the restart command for each address this machine has on a network (the server lists them),
 * or how to find one where it has none.
 */
export function LoopbackWarning({ studentUrl, machineAddresses }: { studentUrl: string; machineAddresses: string[] }) {
  if (!isLoopbackUrl(studentUrl)) return null;
  const host = new URL(studentUrl).hostname;
  return (
    <section
      role="alert"
      aria-labelledby="loopback-warning-heading"
      data-testid="loopback-warning"
      className="space-y-2 rounded-xl border-2 border-amber-500 bg-amber-50 p-4 text-amber-950 dark:border-amber-400 dark:bg-amber-950/50 dark:text-amber-50"
    >
      <h2 id="loopback-warning-heading" className="m-0 text-lg font-bold">
        Students on other machines cannot open this link
      </h2>
      <p className="m-0">
        The students&apos; address below points at <span className="whitespace-nowrap font-mono">{host}</span>, this machine&apos;s loopback: only a
        browser on this machine can open it, and the QR code leads nowhere on a phone or another computer. Socket Lab was started
        without <span className="whitespace-nowrap font-mono">--host</span>. Stop it and start it again with this machine&apos;s address on the
        classroom network:
      </p>
      {machineAddresses.length ? (
        <>
          <p className="m-0">{machineAddresses.length === 1 ? 'This machine’s address on its network is:' : 'This machine has these addresses on its networks; use the one on the classroom network:'}</p>
          <ul className="m-0 list-none space-y-1 p-0" data-testid="machine-addresses">
            {machineAddresses.map((a) => (
              <li key={a}>
                <pre className="m-0 whitespace-pre-wrap rounded-md bg-white p-2 font-mono text-sm [overflow-wrap:anywhere] dark:bg-gray-950" data-testid="restart-command">
                  npm start -- --class --host {a}
                </pre>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <pre className="m-0 whitespace-pre-wrap rounded-md bg-white p-2 font-mono text-sm [overflow-wrap:anywhere] dark:bg-gray-950" data-testid="restart-command">
            npm start -- --class --host &lt;this machine&apos;s LAN address&gt;
          </pre>
          <p className="m-0 text-sm">
            This machine has no address on a network right now (is it connected?). Once it has one: <span className="whitespace-nowrap font-mono">hostname -I</span> on
            Linux, <span className="whitespace-nowrap font-mono">ipconfig getifaddr en0</span> on macOS, <span className="whitespace-nowrap font-mono">ipconfig</span> on
            Windows shows it (an address such as 192.168.1.20).
          </p>
        </>
      )}
      <p className="m-0 text-sm">
        Or use <span className="whitespace-nowrap font-mono">--host 0.0.0.0</span> to listen on every network. The class and its students are kept in the class data
        file across the restart.
      </p>
    </section>
  );
}
