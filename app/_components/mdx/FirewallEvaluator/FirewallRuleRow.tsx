'use client';
import { useEffect, useId, useRef } from 'react';
import type { Action, Direction, FieldErrors, RuleDraft, RuleField, RuleProtocol } from '@/app/_lib/firewall';
import type { RowState } from './FirewallRuleStatus';
import { WidgetField } from '../WidgetField';
import { FirewallRuleStatus } from './FirewallRuleStatus';
import { FirewallSelect } from './FirewallSelect';

export type RowControl = 'action' | 'up' | 'down' | 'remove';

/** Short labels: the row's select is narrow on a phone. "deny" drops silently; the policy select says so. */
const ACTIONS = [
  { value: 'allow', label: 'allow' },
  { value: 'deny', label: 'deny' },
  { value: 'reject', label: 'reject' },
] as const satisfies readonly { value: Action; label: string }[];

const DIRECTIONS = [
  { value: 'in', label: 'in' },
  { value: 'out', label: 'out' },
] as const satisfies readonly { value: Direction; label: string }[];

const PROTOCOLS = [
  { value: 'tcp', label: 'TCP' },
  { value: 'udp', label: 'UDP' },
  { value: 'any', label: 'any' },
] as const satisfies readonly { value: RuleProtocol; label: string }[];

interface Props {
  number: number;
  total: number;
  draft: RuleDraft;
  errors: FieldErrors<RuleField>;
  state: RowState;
  onChange: (field: keyof RuleDraft, value: string) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  /** Set when the parent wants one of this row's controls focused (after a move, an add). */
  focus: RowControl | null;
  onFocused: () => void;
}

const ROW_TONE: Record<RowState['kind'], string> = {
  decides: 'border-2 border-blue-600 bg-blue-50 dark:border-blue-400 dark:bg-blue-950/50',
  skipped: 'border border-gray-200 dark:border-gray-700',
  unreached: 'border border-dashed border-gray-300 dark:border-gray-600',
  idle: 'border border-gray-200 dark:border-gray-700',
};

const BUTTON =
  'rounded-md border border-gray-300 px-2 py-1 text-sm text-gray-800 hover:bg-gray-100 aria-disabled:cursor-not-allowed aria-disabled:opacity-50 aria-disabled:hover:bg-transparent dark:border-gray-600 dark:text-gray-100 dark:hover:bg-gray-800';

/** One rule of the ordered list: its fields, where evaluation stood on it, and the buttons to reorder it. */
export function FirewallRuleRow({ number, total, draft, errors, state, onChange, onMove, onRemove, focus, onFocused }: Props) {
  const id = useId();
  const refs = {
    action: useRef<HTMLSelectElement>(null),
    up: useRef<HTMLButtonElement>(null),
    down: useRef<HTMLButtonElement>(null),
    remove: useRef<HTMLButtonElement>(null),
  };

  useEffect(() => {
    if (!focus) return;
    refs[focus].current?.focus();
    onFocused();
    // Only a new request matters: the refs and the callback do not change what gets focused.
  }, [focus]);

  const first = number === 1;
  const last = number === total;
  return (
    <li className={`rounded-lg p-2.5 ${ROW_TONE[state.kind]}`} aria-current={state.kind === 'decides' ? 'true' : undefined}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span className="text-sm font-bold text-gray-900 dark:text-gray-100">Rule {number}</span>
        <FirewallRuleStatus state={state} />
      </div>
      <div className="mt-1.5 grid grid-cols-3 gap-2 sm:grid-cols-[repeat(3,minmax(0,1fr))_minmax(0,2fr)_minmax(0,1.4fr)]">
        <FirewallSelect id={`${id}-action`} label="Action" value={draft.action} options={ACTIONS} onChange={(v) => onChange('action', v)} selectRef={refs.action} />
        <FirewallSelect id={`${id}-dir`} label="Direction" value={draft.direction} options={DIRECTIONS} onChange={(v) => onChange('direction', v)} />
        <FirewallSelect id={`${id}-proto`} label="Protocol" value={draft.protocol} options={PROTOCOLS} onChange={(v) => onChange('protocol', v)} />
        <WidgetField compact
          id={`${id}-src`}
          label="Source (CIDR or any)"
          value={draft.source}
          onChange={(v) => onChange('source', v)}
          error={errors.source}
          className="col-span-2 sm:col-span-1"
        />
        <WidgetField compact id={`${id}-port`} label="Port(s)" value={draft.ports} onChange={(v) => onChange('ports', v)} error={errors.ports} />
      </div>
      <div className="mt-2 flex flex-wrap gap-2">
        <button
          ref={refs.up}
          type="button"
          aria-disabled={first || undefined}
          onClick={() => !first && onMove(-1)}
          aria-label={`Move rule ${number} up`}
          className={BUTTON}
        >
          <span aria-hidden="true">↑ </span>Up
        </button>
        <button
          ref={refs.down}
          type="button"
          aria-disabled={last || undefined}
          onClick={() => !last && onMove(1)}
          aria-label={`Move rule ${number} down`}
          className={BUTTON}
        >
          <span aria-hidden="true">↓ </span>Down
        </button>
        <button ref={refs.remove} type="button" onClick={onRemove} aria-label={`Remove rule ${number}`} className={BUTTON}>
          Remove
        </button>
      </div>
    </li>
  );
}
