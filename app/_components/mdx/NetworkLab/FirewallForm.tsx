import { useId, useState } from 'react';
import { CHAINS, REJECT_WITH, type HostName, type ProtocolFirewallRule } from '@/server/protocol';
import { EMPTY_RULE, ruleFromFields, type RuleFields, type RuleState } from '@/app/_lib/network-lab/forms';
import { BUTTON, FIELD, LABEL } from './styles';

const STATES: RuleState[] = ['new', 'established', 'related'];
const VERDICTS: { value: RuleFields['verdict']; label: string }[] = [
  { value: 'accept', label: 'accept' },
  { value: 'drop', label: 'drop' },
  { value: 'reject', label: 'reject' },
];

/**
 * A firewall rule for one host, as a structure: the server builds the nft rule from it (never from
 * text) and answers with the equivalent `nft` line, shown under the form.
 */
export function FirewallForm({ host, disabled, nft, onAdd }: { host: HostName; disabled: boolean; nft: string | null; onAdd: (rule: ProtocolFirewallRule, position: 'first' | 'last') => void }) {
  const id = useId();
  const [f, setF] = useState<RuleFields>(EMPTY_RULE);
  const [position, setPosition] = useState<'first' | 'last'>('last');
  const set = <K extends keyof RuleFields>(k: K, v: RuleFields[K]) => setF((old) => ({ ...old, [k]: v }));
  const ports = f.protocol === 'tcp' || f.protocol === 'udp';
  const text = (k: 'source' | 'destination' | 'sourcePort' | 'destinationPort', label: string, placeholder: string, numeric = false) => (
    <div className="min-w-0">
      <label htmlFor={`${id}-${k}`} className={LABEL}>
        {label}
      </label>
      <input
        id={`${id}-${k}`}
        className={FIELD}
        value={f[k]}
        placeholder={placeholder}
        inputMode={numeric ? 'numeric' : undefined}
        onChange={(e) => set(k, numeric ? e.target.value.replace(/[^0-9]/g, '').slice(0, 5) : e.target.value.slice(0, 64))}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );
  return (
    <form
      className="space-y-2"
      aria-label={`Firewall rule on ${host}`}
      onSubmit={(e) => {
        e.preventDefault();
        onAdd(ruleFromFields(f), position);
      }}
    >
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <div>
          <label htmlFor={`${id}-chain`} className={LABEL}>
            chain
          </label>
          <select id={`${id}-chain`} className={FIELD} value={f.chain} onChange={(e) => set('chain', CHAINS.find((c) => c === e.target.value) ?? 'input')}>
            {CHAINS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-protocol`} className={LABEL}>
            protocol
          </label>
          <select id={`${id}-protocol`} className={FIELD} value={f.protocol} onChange={(e) => set('protocol', (['tcp', 'udp', 'icmp'] as const).find((p) => p === e.target.value) ?? 'any')}>
            <option value="any">any</option>
            <option value="tcp">tcp</option>
            <option value="udp">udp</option>
            <option value="icmp">icmp</option>
          </select>
        </div>
        {text('source', 'source address', 'any')}
        {text('destination', 'destination address', 'any')}
        {ports ? text('sourcePort', 'source port', 'any', true) : null}
        {ports ? text('destinationPort', 'destination port', 'any', true) : null}
        <div>
          <label htmlFor={`${id}-verdict`} className={LABEL}>
            verdict
          </label>
          <select id={`${id}-verdict`} className={FIELD} value={f.verdict} onChange={(e) => set('verdict', VERDICTS.find((v) => v.value === e.target.value)?.value ?? 'drop')} data-testid="rule-verdict">
            {VERDICTS.map((v) => (
              <option key={v.value} value={v.value}>
                {v.label}
              </option>
            ))}
          </select>
        </div>
        {f.verdict === 'reject' ? (
          <div>
            <label htmlFor={`${id}-with`} className={LABEL}>
              reject with
            </label>
            <select id={`${id}-with`} className={FIELD} value={f.rejectWith} onChange={(e) => set('rejectWith', REJECT_WITH.find((r) => r === e.target.value) ?? '')}>
              <option value="">default</option>
              {REJECT_WITH.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      <fieldset className="m-0 flex flex-wrap items-center gap-3 border-0 p-0 text-sm">
        <legend className="float-left mr-1 text-xs font-medium">connection state (none ticked: any)</legend>
        {STATES.map((s) => (
          <label key={s} className="flex items-center gap-1">
            <input type="checkbox" checked={f.states.includes(s)} onChange={(e) => set('states', e.target.checked ? [...f.states, s] : f.states.filter((x) => x !== s))} />
            {s}
          </label>
        ))}
      </fieldset>
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={`${id}-position`} className={LABEL}>
            place it
          </label>
          <select id={`${id}-position`} className={FIELD} value={position} onChange={(e) => setPosition(e.target.value === 'first' ? 'first' : 'last')}>
            <option value="last">last (checked after the others)</option>
            <option value="first">first (checked before the others)</option>
          </select>
        </div>
        <button type="submit" disabled={disabled} className={BUTTON} data-testid="rule-add">
          add rule on {host}
        </button>
      </div>
      {nft ? (
        <p className="m-0 text-xs" data-testid="rule-nft">
          The same rule as an nft command: <code className="break-all font-mono">{nft}</code>
        </p>
      ) : null}
    </form>
  );
}
