import type { HostView } from '@/app/_lib/network-lab/hosts';

/**
 * A host's interfaces and addresses as the kernel reports them. Link-local IPv6 addresses are left
 * out (every interface has one; they teach nothing in lessons 2-6), and a bridge port with no
 * address of its own is named by its bridge.
 */
export function HostAddresses({ host }: { host: HostView }) {
  return (
    <ul className="m-0 list-none space-y-0.5 p-0 font-mono text-xs" aria-label={`${host.name}: interfaces`}>
      {host.interfaces.map((i) => {
        const addresses = i.addresses.filter((a) => a.scope !== 'link');
        return (
          <li key={i.name} className="break-words" data-interface={i.name}>
            <span className="font-semibold">{i.name}</span>
            <span className="font-sans text-gray-600 dark:text-gray-400"> {i.kind === 'loopback' ? '(loopback: its own)' : i.master ? `(port of ${i.master})` : `(${i.kind}, ${i.state.toLowerCase()})`}</span>{' '}
            {addresses.map((a) => (
              <span key={a.address} className="mr-1.5 inline-block" data-address={a.address}>
                {a.address}/{a.prefixLength}
              </span>
            ))}
          </li>
        );
      })}
    </ul>
  );
}
