import { useId, useState } from 'react';
import type { ProtocolNetworkView } from '@/server/protocol';
import { EMPTY_FORWARD, forwardFromFields, type ForwardFields } from '@/app/_lib/network-lab/forms';
import { BUTTON, FIELD, LABEL, TOOL } from './styles';

type ForwardSpec = ProtocolNetworkView['forwards'][number]['forward'];

/** A port forward on the router: 203.0.113.1:wanPort → a LAN host's address and port; the forwards there now. */
export function ForwardForm({ forwards, disabled, onAdd, onDelete }: { forwards: ProtocolNetworkView['forwards']; disabled: boolean; onAdd: (f: ForwardSpec) => void; onDelete: (id: number) => void }) {
  const id = useId();
  const [f, setF] = useState<ForwardFields>(EMPTY_FORWARD);
  const set = <K extends keyof ForwardFields>(k: K, v: ForwardFields[K]) => setF((old) => ({ ...old, [k]: v }));
  const port = (k: 'wanPort' | 'lanPort', label: string) => (
    <div className="w-28">
      <label htmlFor={`${id}-${k}`} className={LABEL}>
        {label}
      </label>
      <input id={`${id}-${k}`} className={FIELD} inputMode="numeric" value={f[k]} onChange={(e) => set(k, e.target.value.replace(/[^0-9]/g, '').slice(0, 5))} />
    </div>
  );
  return (
    <div className="space-y-2">
      <form
        className="flex flex-wrap items-end gap-2"
        aria-label="Port forward on router"
        onSubmit={(e) => {
          e.preventDefault();
          onAdd(forwardFromFields(f));
        }}
      >
        <div>
          <label htmlFor={`${id}-protocol`} className={LABEL}>
            protocol
          </label>
          <select id={`${id}-protocol`} className={FIELD} value={f.protocol} onChange={(e) => set('protocol', e.target.value === 'udp' ? 'udp' : 'tcp')}>
            <option value="tcp">tcp</option>
            <option value="udp">udp</option>
          </select>
        </div>
        {port('wanPort', 'WAN port (on 203.0.113.1)')}
        <div className="w-36">
          <label htmlFor={`${id}-lan`} className={LABEL}>
            to LAN address
          </label>
          <input id={`${id}-lan`} className={FIELD} value={f.lanAddress} onChange={(e) => set('lanAddress', e.target.value.slice(0, 64))} autoComplete="off" spellCheck={false} />
        </div>
        {port('lanPort', 'LAN port')}
        <button type="submit" disabled={disabled} className={BUTTON} data-testid="forward-add">
          add forward
        </button>
      </form>
      {forwards.length ? (
        <ul className="m-0 list-none space-y-1 p-0 text-xs" aria-label="Port forwards on router" data-testid="forward-list">
          {forwards.map((fw) => (
            <li key={fw.id} className="rounded-md bg-gray-50 p-1.5 dark:bg-gray-900">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-mono font-semibold">
                  {fw.forward.protocol} 203.0.113.1:{fw.forward.wanPort} → {fw.forward.lanAddress}:{fw.forward.lanPort}
                </span>
                <span>used by {fw.packets === 1 ? '1 packet' : `${fw.packets} packets`}</span>
                <button type="button" className={TOOL} disabled={disabled} onClick={() => onDelete(fw.id)} aria-label={`Delete the forward of port ${fw.forward.wanPort}`}>
                  delete
                </button>
              </div>
              {fw.nft.map((line) => (
                <code key={line} className="block break-all font-mono">
                  {line}
                </code>
              ))}
            </li>
          ))}
        </ul>
      ) : (
        <p className="m-0 text-xs text-gray-700 dark:text-gray-300">No port forwards yet: nothing from the internet can open a connection to the LAN.</p>
      )}
    </div>
  );
}
