import type { BitGroup, IpVersion } from '@/app/_lib/ip-explorer';

interface Props {
  groups: BitGroup[];
  version: IpVersion;
  prefix: number | null;
  hex: string;
  decimal: string | null;
}

/**
 * The address bit by bit, one block per octet (IPv4) or 16-bit group (IPv6). Prefix bits are bold,
 * underlined and shaded, so the split does not depend on colour alone.
 */
export function IpExplorerBits({ groups, version, prefix, hex, decimal }: Props) {
  const sep = version === 4 ? '.' : ':';
  const spoken = groups.map((g) => g.bits).join(' ');
  return (
    <div className="rounded-lg border border-gray-200 p-3 dark:border-gray-700">
      <p className="text-sm font-semibold text-gray-800 dark:text-gray-200">
        Binary{' '}
        <span className="font-normal text-gray-600 dark:text-gray-400">
          ({version === 4 ? 'one block per byte' : 'one block per 16-bit group'}
          {prefix !== null ? '; network prefix bits are shaded and underlined' : ''})
        </span>
      </p>
      <div aria-hidden="true" className="mt-2 flex flex-wrap items-start gap-y-2 font-mono text-[13px] leading-5">
        {groups.map((g, i) => (
          <span key={i} className="inline-flex items-start">
            <span className="inline-flex flex-col items-center">
              <span className="tracking-tight">
                {g.prefixBits > 0 ? (
                  <span className="rounded-sm bg-blue-100 font-bold text-blue-900 underline decoration-2 underline-offset-2 dark:bg-blue-900/70 dark:text-blue-100">
                    {g.bits.slice(0, g.prefixBits)}
                  </span>
                ) : null}
                <span className="text-gray-800 dark:text-gray-200">{g.bits.slice(g.prefixBits)}</span>
              </span>
              <span className="text-xs text-gray-600 dark:text-gray-400">
                {version === 4 ? parseInt(g.bits, 2) : parseInt(g.bits, 2).toString(16).padStart(4, '0')}
              </span>
            </span>
            {i < groups.length - 1 ? <span className="px-0.5 text-gray-500 dark:text-gray-400">{sep}</span> : null}
          </span>
        ))}
      </div>
      <p className="sr-only">
        Binary: {spoken}.{prefix !== null ? ` The first ${prefix} bits are the network prefix.` : ''}
      </p>
      <dl className="mt-3 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
        <dt className="font-semibold text-gray-700 dark:text-gray-300">Hex</dt>
        <dd className="font-mono text-gray-900 [overflow-wrap:anywhere] dark:text-gray-100">
          {hex.split(/(?<=:)/).map((part, i) => (
            <span key={i}>
              {part}
              <wbr />
            </span>
          ))}
        </dd>
        {decimal !== null ? (
          <>
            <dt className="font-semibold text-gray-700 dark:text-gray-300">As one number</dt>
            <dd className="break-all font-mono text-gray-900 dark:text-gray-100">{decimal}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
