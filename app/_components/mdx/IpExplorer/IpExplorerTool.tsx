'use client';
import { useId, useMemo, useState } from 'react';
import { analyze, type IpAnalysis, type Parsed } from '@/app/_lib/ip-explorer';
import { IpExplorerAnalysis } from './IpExplorerAnalysis';
import { IpExplorerMembership } from './IpExplorerMembership';
import { useSettled } from '@/app/_lib/use-settled';

const EXAMPLES = ['192.168.1.20', '10.0.0.0/8', '127.0.0.1', '100.64.0.1', '::1', 'fe80::1%eth0', '2001:db8::/32', '::ffff:192.0.2.1'];

const INPUT =
  'mt-1 block w-full min-w-0 rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-base text-gray-900 shadow-sm dark:border-gray-600 dark:bg-gray-950 dark:text-gray-100';



function summaryOf(r: Parsed<IpAnalysis>): string {
  if (!r.ok) return r.error;
  const v = r.value;
  const what = v.network ? `network ${v.network.cidr}, ${v.network.sizeText} addresses` : v.address;
  return `${what}: IPv${v.version}, ${v.kind.label}.`;
}

/** Type any IPv4/IPv6 address or CIDR block: its kind in plain words, its bits, and its network. */
export function IpExplorerTool({ initial, network }: { initial?: string; network?: string }) {
  const [text, setText] = useState(initial ?? '192.168.1.20');
  const result = useMemo(() => analyze(text), [text]);
  const announcement = useSettled(summaryOf(result), 700);
  const id = useId();

  return (
    <section aria-labelledby={`${id}-title`} className="not-prose my-8 rounded-xl border border-gray-200 bg-white p-4 shadow-sm sm:p-5 dark:border-gray-700 dark:bg-gray-900/60">
      <h3 id={`${id}-title`} className="text-lg font-bold text-gray-900 dark:text-gray-100">
        IP address explorer
      </h3>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
        Type an IPv4 or IPv6 address, or a network in CIDR form (address/prefix length).
      </p>

      <label htmlFor={`${id}-addr`} className="mt-4 block text-sm font-semibold text-gray-800 dark:text-gray-200">
        Address or network
      </label>
      <input
        id={`${id}-addr`}
        type="text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={200}
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        autoCorrect="off"
        aria-invalid={!result.ok}
        aria-describedby={`${id}-result`}
        className={INPUT}
      />
      <div className="mt-2 flex flex-wrap items-center gap-1.5 text-sm">
        <span className="text-gray-700 dark:text-gray-300">Try:</span>
        {EXAMPLES.map((ex) => (
          <button
            key={ex}
            type="button"
            onClick={() => setText(ex)}
            className="rounded-md border border-gray-300 bg-gray-50 px-2 py-0.5 font-mono text-xs text-gray-800 hover:bg-gray-100 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700"
          >
            {ex}
          </button>
        ))}
      </div>

      <p role="status" className="sr-only">
        {announcement}
      </p>

      <div id={`${id}-result`} className="mt-4">
        {result.ok ? (
          <IpExplorerAnalysis a={result.value} />
        ) : (
          <p className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
            <strong>Not an address yet.</strong> {result.error}
          </p>
        )}
      </div>

      <IpExplorerMembership subject={text} initialNetwork={network ?? ''} />

      <details className="mt-4 text-sm text-gray-700 dark:text-gray-300">
        <summary className="cursor-pointer font-medium text-gray-800 dark:text-gray-200">How this explorer reads what you type</summary>
        <ul className="mt-2 list-disc space-y-1 pl-5">
          <li>
            IPv4 must be four plain decimal numbers. Forms such as <code>010.0.0.1</code> (octal to old C code), <code>0x7f.1</code>{' '}
            or <code>3232235777</code> are refused with an explanation, because programs disagree about them.
          </li>
          <li>
            An IPv6 zone, as in <code>fe80::1%eth0</code>, is accepted on a single address: it names the interface and is not part of
            the 128 bits. It is refused on a network (<code>/64</code>), where it has no meaning.
          </li>
          <li>
            A CIDR with host bits set, like <code>192.168.1.77/24</code>, is read as that address on the network 192.168.1.0/24, the way{' '}
            <code>ip addr</code> prints an interface.
          </li>
          <li>Kinds of address come from the IANA special-purpose registries (RFC 6890 and the RFC named with each).</li>
        </ul>
      </details>
    </section>
  );
}
