'use client';
import { useId, useMemo, useRef, useState } from 'react';
import {
  checkPacket,
  checkRule,
  describePacket,
  evaluate,
  moveItem,
  removeAt,
  type Action,
  type FieldErrors,
  type FirewallRule,
  type PacketDraft,
  type RuleDraft,
} from '@/app/_lib/firewall';
import { FirewallRuleRow, type RowControl } from './FirewallRuleRow';
import type { RowState } from './FirewallRuleStatus';
import { FirewallPacketForm } from './FirewallPacketForm';
import { FirewallSelect } from './FirewallSelect';
import { FirewallVerdict } from './FirewallVerdict';
import { useSettled } from '@/app/_lib/use-settled';

type Row = RuleDraft & { id: string };

/** A small server's rules: SSH only from the LAN, HTTPS from anywhere. The first packet hits rule 2. */
const START_RULES: RuleDraft[] = [
  { action: 'allow', direction: 'in', protocol: 'tcp', source: '192.168.1.0/24', ports: '22' },
  { action: 'deny', direction: 'in', protocol: 'tcp', source: 'any', ports: '22' },
  { action: 'allow', direction: 'in', protocol: 'tcp', source: 'any', ports: '443' },
];
const START_PACKET: PacketDraft = { direction: 'in', protocol: 'tcp', source: '198.51.100.9', port: '22', established: false };
const POLICIES = [
  { value: 'allow', label: 'allow' },
  { value: 'deny', label: 'deny (drop silently)' },
  { value: 'reject', label: 'reject (refuse)' },
] as const satisfies readonly { value: Action; label: string }[];
const NEW_RULE: RuleDraft = { action: 'allow', direction: 'in', protocol: 'tcp', source: 'any', ports: '80' };

function errorsOf<K extends string>(c: { ok: true } | { ok: false; errors: FieldErrors<K> }): FieldErrors<K> {
  return c.ok ? {} : c.errors;
}


/** A simulated firewall: ordered rules, first match wins, a default policy; the verdict follows every edit. */
export function FirewallEvaluatorTool() {
  const id = useId();
  const nextId = useRef(START_RULES.length + 1);
  const [rows, setRows] = useState<readonly Row[]>(() => START_RULES.map((r, i) => ({ ...r, id: `rule-${i + 1}` })));
  const [policy, setPolicy] = useState<Action>('deny');
  const [stateful, setStateful] = useState(true);
  const [packet, setPacket] = useState<PacketDraft>(START_PACKET);
  const [focus, setFocus] = useState<{ id: string; control: RowControl } | null>(null);
  const [status, setStatus] = useState('');
  const addRef = useRef<HTMLButtonElement>(null);

  const checkedRules = useMemo(() => rows.map((r) => checkRule(r)), [rows]);
  const checkedPacket = useMemo(() => checkPacket(packet), [packet]);
  const firstBad = checkedRules.findIndex((c) => !c.ok);
  const verdict = useMemo(() => {
    if (firstBad !== -1 || !checkedPacket.ok) return null;
    const rules = checkedRules.map((c) => (c.ok ? c.value : null)).filter((r): r is Omit<FirewallRule, 'id'> => r !== null);
    return evaluate(rules, policy, checkedPacket.value, { stateful });
  }, [checkedRules, checkedPacket, policy, stateful, firstBad]);

  const verdictText = verdict && checkedPacket.ok ? `${describePacket(checkedPacket.value)}: ${verdict.action}. ${verdict.summary}` : '';
  const spokenVerdict = useSettled(verdictText, 700);

  function rowState(i: number): RowState {
    if (!verdict || verdict.by === 'state') return { kind: 'idle' };
    if (verdict.ruleIndex === i) return { kind: 'decides', action: verdict.action };
    const check = verdict.checks[i];
    if (check) return { kind: 'skipped', reason: check.reason };
    return { kind: 'unreached' };
  }

  function change(i: number, field: keyof RuleDraft, value: string) {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, [field]: value } : r)));
  }

  function move(i: number, delta: -1 | 1, control: RowControl) {
    const moved = rows[i];
    setRows((rs) => moveItem(rs, i, delta));
    setFocus({ id: moved.id, control });
    setStatus(`Rule ${i + 1} moved ${delta < 0 ? 'up' : 'down'}: it is now rule ${i + 1 + delta}.`);
  }

  function remove(i: number) {
    const neighbour = rows[i + 1] ?? rows[i - 1];
    setRows((rs) => removeAt(rs, i));
    setStatus(`Rule ${i + 1} removed.`);
    if (neighbour) setFocus({ id: neighbour.id, control: 'remove' });
    else requestAnimationFrame(() => addRef.current?.focus());
  }

  function add() {
    const row = { ...NEW_RULE, id: `rule-${nextId.current++}` };
    setRows((rs) => [...rs, row]);
    setFocus({ id: row.id, control: 'action' });
    setStatus(`Rule ${rows.length + 1} added at the end: ${NEW_RULE.action} in TCP from any to port ${NEW_RULE.ports}.`);
  }

  return (
    <section aria-labelledby={`${id}-title`} className="not-prose my-8 rounded-xl border border-gray-200 bg-white p-4 shadow-sm sm:p-5 dark:border-gray-700 dark:bg-gray-900/60">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={`${id}-title`} className="text-lg font-bold text-gray-900 dark:text-gray-100">
          Firewall rule evaluator
        </h3>
        <span className="rounded-full border border-amber-500 bg-amber-100 px-2 py-0.5 text-xs font-bold uppercase tracking-wide text-amber-950 dark:border-amber-500 dark:bg-amber-900/60 dark:text-amber-100">
          Simulation
        </span>
      </div>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
        Nothing leaves your machine: this firewall and its packets exist only in this page. Rules are checked from the top; the
        first one that matches decides.
      </p>

      <p role="status" className="sr-only">
        {status}
      </p>
      <p role="status" className="sr-only">
        {spokenVerdict}
      </p>

      <div className="mt-4 space-y-4">
        <FirewallPacketForm draft={packet} errors={errorsOf(checkedPacket)} onChange={(f, v) => setPacket((p) => ({ ...p, [f]: v }))} />

        {verdict ? (
          <FirewallVerdict verdict={verdict} direction={packet.direction} />
        ) : (
          <p className="rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-100">
            {firstBad !== -1 ? `Rule ${firstBad + 1} has a problem (see below). A real firewall refuses to load a broken rule set, so fix it first.` : 'Fix the packet above to see the verdict.'}
          </p>
        )}

        <div>
          <h4 className="text-base font-bold text-gray-900 dark:text-gray-100">Rules, in order</h4>
          {rows.length === 0 ? <p className="mt-1 text-sm italic text-gray-700 dark:text-gray-300">No rules: every packet gets the default policy.</p> : null}
          <ol className="mt-2 space-y-2" aria-label="Firewall rules, checked from the top">
            {rows.map((r, i) => (
              <FirewallRuleRow
                key={r.id}
                number={i + 1}
                total={rows.length}
                draft={r}
                errors={errorsOf(checkedRules[i])}
                state={rowState(i)}
                onChange={(f, v) => change(i, f, v)}
                onMove={(d) => move(i, d, d < 0 ? 'up' : 'down')}
                onRemove={() => remove(i)}
                focus={focus?.id === r.id ? focus.control : null}
                onFocused={() => setFocus(null)}
              />
            ))}
          </ol>
          <button
            ref={addRef}
            type="button"
            onClick={add}
            className="mt-2 rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-blue-800 dark:bg-blue-600 dark:hover:bg-blue-700"
          >
            Add rule
          </button>
        </div>

        <div className={`rounded-lg p-3 ${verdict?.by === 'default' ? 'border-2 border-blue-600 bg-blue-50 dark:border-blue-400 dark:bg-blue-950/50' : 'border border-gray-200 dark:border-gray-700'}`}>
          <div className="flex flex-wrap items-end gap-3">
            <FirewallSelect id={`${id}-policy`} label="Default policy: when no rule matches" value={policy} options={POLICIES} onChange={setPolicy} className="w-64 max-w-full" />
            {verdict?.by === 'default' ? <span className="rounded-md bg-blue-700 px-2 py-0.5 text-xs font-bold text-white dark:bg-blue-600">Applied</span> : null}
          </div>
          <div className="mt-3 flex items-start gap-2">
            <input
              id={`${id}-stateful`}
              type="checkbox"
              checked={stateful}
              onChange={(e) => setStateful(e.target.checked)}
              className="mt-1 h-4 w-4 shrink-0 accent-blue-700"
            />
            <label htmlFor={`${id}-stateful`} className="text-sm text-gray-900 dark:text-gray-100">
              Stateful: allow replies to connections we started
              {verdict?.by === 'state' ? (
                <span className="ml-2 rounded-md bg-blue-700 px-2 py-0.5 text-xs font-bold text-white dark:bg-blue-600">Applied</span>
              ) : null}
              <span className="block text-xs text-gray-700 dark:text-gray-300">
                The firewall remembers each connection it let through (connection tracking), and lets that connection’s later packets pass
                before looking at any rule. Without it, “deny all incoming” would also block the answers to your own requests.
              </span>
            </label>
          </div>
        </div>
      </div>
    </section>
  );
}
