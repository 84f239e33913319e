import { useId, useState } from 'react';
import type { HostName } from '@/server/protocol';
import type { CallRequest } from '../../lab/CallForm';
import { BUTTON, FIELD, LABEL } from './styles';

/** socket() on one sandbox host: the new socket's card then offers every other call, as in the lab. */
export function HostSocketForm({ host, disabled, onCall }: { host: HostName; disabled: boolean; onCall: (r: CallRequest) => void }) {
  const id = useId();
  const [type, setType] = useState<'tcp' | 'udp'>('tcp');
  const [family, setFamily] = useState<4 | 6>(4);
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      aria-label={`New socket on ${host}`}
      onSubmit={(e) => {
        e.preventDefault();
        onCall({ op: 'socket', args: { type, family, host, actor: host } });
      }}
    >
      <div>
        <label htmlFor={`${id}-type`} className={LABEL}>
          type
        </label>
        <select id={`${id}-type`} className={FIELD} value={type} onChange={(e) => setType(e.target.value === 'udp' ? 'udp' : 'tcp')}>
          <option value="tcp">TCP (stream)</option>
          <option value="udp">UDP (datagram)</option>
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-family`} className={LABEL}>
          family
        </label>
        <select id={`${id}-family`} className={FIELD} value={family} onChange={(e) => setFamily(e.target.value === '6' ? 6 : 4)}>
          <option value={4}>IPv4</option>
          <option value={6}>IPv6</option>
        </select>
      </div>
      <button type="submit" disabled={disabled} className={BUTTON} data-testid="host-socket">
        socket() on {host}
      </button>
    </form>
  );
}
