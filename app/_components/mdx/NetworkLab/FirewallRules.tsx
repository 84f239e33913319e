import type { HostName, ProtocolNetworkView } from '@/server/protocol';
import { count } from '@/app/_lib/plural';
import { TOOL } from './styles';

type RuleView = ProtocolNetworkView['hosts'][number]['firewall'][number];

/** A host's rules in the kernel's order, with the kernel's counters, each removable by its id. */
export function FirewallRules({ host, rules, disabled, onDelete }: { host: HostName; rules: RuleView[]; disabled: boolean; onDelete: (id: number) => void }) {
  if (!rules.length) return <p className="m-0 text-xs text-gray-700 dark:text-gray-300">No firewall rules on {host}: every packet is accepted.</p>;
  return (
    <ol className="m-0 list-decimal space-y-1 pl-5 text-xs" aria-label={`Firewall rules on ${host}`} data-testid="rule-list">
      {rules.map((r) => (
        <li key={r.id} data-rule-id={r.id} data-verdict={r.rule?.verdict}>
          <div className="flex flex-wrap items-start gap-2">
            <code className="min-w-0 flex-1 break-all font-mono">{r.nft}</code>
            <span className="whitespace-nowrap" data-testid="rule-counter">
              matched {count(r.packets, { one: 'packet', other: 'packets' })}
            </span>
            {r.origin === 'firewall' ? (
              <button type="button" className={TOOL} disabled={disabled} onClick={() => onDelete(r.id)} aria-label={`Delete rule ${r.id} on ${host}`}>
                delete
              </button>
            ) : (
              <span className="italic">made by a port forward</span>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
