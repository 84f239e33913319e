import { useId, useState } from 'react';
import type { HostName } from '@/server/protocol';
import { BUTTON, FIELD, LABEL } from './styles';

/** ping from one host: the address and how many echo requests (one a second). */
export function PingForm({ host, addresses, disabled, onPing }: { host: HostName; addresses: string[]; disabled: boolean; onPing: (address: string, count: number) => void }) {
  const id = useId();
  const [address, setAddress] = useState('203.0.113.80');
  const [count, setCount] = useState('3');
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      aria-label={`Ping from ${host}`}
      onSubmit={(e) => {
        e.preventDefault();
        onPing(address.trim(), Number(count));
      }}
    >
      <div className="w-44">
        <label htmlFor={`${id}-address`} className={LABEL}>
          address to ping
        </label>
        <input id={`${id}-address`} className={FIELD} value={address} onChange={(e) => setAddress(e.target.value.slice(0, 64))} list={`${id}-addresses`} autoComplete="off" spellCheck={false} />
        <datalist id={`${id}-addresses`}>
          {addresses.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div className="w-20">
        <label htmlFor={`${id}-count`} className={LABEL}>
          count (1-10)
        </label>
        <input id={`${id}-count`} className={FIELD} inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value.replace(/[^0-9]/g, '').slice(0, 2))} />
      </div>
      <button type="submit" disabled={disabled} className={BUTTON} data-testid="ping">
        ping from {host}
      </button>
    </form>
  );
}
