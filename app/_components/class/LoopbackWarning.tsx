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
 * with the restart command. The class protocol sends no list of this machine's addresses, so the
 * warning says how to find one rather than guessing.
 */
export function LoopbackWarning({ studentUrl }: { studentUrl: string }) {
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
      <pre className="m-0 whitespace-pre-wrap rounded-md bg-white p-2 font-mono text-sm [overflow-wrap:anywhere] dark:bg-gray-950" data-testid="restart-command">
        npm start -- --class --host &lt;this machine&apos;s LAN address&gt;
      </pre>
      <p className="m-0 text-sm">
        To find that address: <span className="whitespace-nowrap font-mono">hostname -I</span> on Linux, <span className="whitespace-nowrap font-mono">ipconfig getifaddr en0</span>{' '}
        on macOS, <span className="whitespace-nowrap font-mono">ipconfig</span> on Windows (an address such as 192.168.1.20). Or use{' '}
        <span className="whitespace-nowrap font-mono">--host 0.0.0.0</span> to listen on every network and let Socket Lab pick the first one. The class
        and its students are kept in the class data file across the restart.
      </p>
    </section>
  );
}
