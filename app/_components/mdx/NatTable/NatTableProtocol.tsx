import type { Protocol } from '@/app/_lib/nat';

/** The TCP/UDP choice of the NAT widget's packet and rule forms. */
export function NatTableProtocol({ id, value, onChange, wide = false }: { id: string; value: Protocol; onChange: (p: Protocol) => void; wide?: boolean }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-gray-800 dark:text-gray-200">
        Protocol
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value as Protocol)}
        className={`mt-1 block ${wide ? 'w-full ' : ''}rounded-md border border-gray-300 bg-white px-2 py-1.5 text-base text-gray-900 dark:border-gray-600 dark:bg-gray-950 dark:text-gray-100`}
      >
        <option value="tcp">TCP</option>
        <option value="udp">UDP</option>
      </select>
    </div>
  );
}
