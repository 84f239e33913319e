'use client';
import { useId, useRef, useState } from 'react';
import { endpointText, type ForwardRule, type RuleDraft, type RuleField, type FieldErrors } from '@/app/_lib/nat';
import { WidgetField } from '../WidgetField';
import { NatTableProtocol } from './NatTableProtocol';

interface Props {
  rules: ForwardRule[];
  /** Returns field errors, or null when the rule was added. */
  onAdd: (draft: RuleDraft) => FieldErrors<RuleField> | null;
  onRemove: (rule: ForwardRule) => void;
}

const EMPTY: RuleDraft = { protocol: 'tcp', externalPort: '', internalAddress: '', internalPort: '' };

const ruleText = (r: ForwardRule) => `${r.protocol.toUpperCase()} port ${r.externalPort} to ${endpointText(r.internal)}`;

/** The router's port-forwarding rules: a list with remove buttons, and a form to add one. */
export function NatTableRules({ rules, onAdd, onRemove }: Props) {
  const id = useId();
  const [draft, setDraft] = useState<RuleDraft>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors<RuleField>>({});
  const removeRefs = useRef(new Map<string, HTMLButtonElement>());
  const firstField = useRef<HTMLInputElement>(null);

  function edit(field: keyof RuleDraft, value: string) {
    setDraft((d) => ({ ...d, [field]: value }));
    if (field in errors) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  function remove(i: number) {
    const next = rules[i + 1] ?? rules[i - 1];
    onRemove(rules[i]);
    // Keep keyboard focus in the list: on the next rule's button, or the form when the list empties.
    requestAnimationFrame(() => (next ? removeRefs.current.get(next.id)?.focus() : firstField.current?.focus()));
  }

  return (
    <div>
      <h4 className="text-base font-bold text-gray-900 dark:text-gray-100">Port forwarding rules</h4>
      <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
        A rule tells the router which machine inside gets unsolicited packets that arrive on one of its public ports.
      </p>
      {rules.length === 0 ? (
        <p className="mt-2 text-sm italic text-gray-700 dark:text-gray-300">No rules: unsolicited inbound packets are all dropped.</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full border-collapse text-left text-sm">
            <thead>
              <tr className="border-b border-gray-300 text-gray-700 dark:border-gray-600 dark:text-gray-300">
                <th scope="col" className="py-1 pr-2 font-semibold">Public port</th>
                <th scope="col" className="py-1 pr-2 font-semibold">Goes to (inside)</th>
                <th scope="col" className="py-1 font-semibold">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                <tr key={r.id} className="border-b border-gray-200 dark:border-gray-700">
                  <td className="whitespace-nowrap py-1.5 pr-2 font-mono">
                    {r.protocol.toUpperCase()} {r.externalPort}
                  </td>
                  <td className="py-1.5 pr-2 font-mono">{endpointText(r.internal)}</td>
                  <td className="py-1.5 text-right">
                    <button
                      type="button"
                      ref={(el) => {
                        if (el) removeRefs.current.set(r.id, el);
                        else removeRefs.current.delete(r.id);
                      }}
                      onClick={() => remove(i)}
                      aria-label={`Remove rule: ${ruleText(r)}`}
                      className="rounded-md border border-gray-300 px-2 py-0.5 text-sm text-gray-800 hover:bg-gray-100 dark:border-gray-600 dark:text-gray-100 dark:hover:bg-gray-800"
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <form
        className="mt-3 rounded-lg bg-gray-50 p-3 dark:bg-gray-800/60"
        aria-label="Add a port forwarding rule"
        onSubmit={(e) => {
          e.preventDefault();
          const errs = onAdd(draft);
          if (errs) {
            setErrors(errs);
            return;
          }
          setErrors({});
          setDraft(EMPTY);
          firstField.current?.focus();
        }}
      >
        <p className="text-sm font-semibold text-gray-800 dark:text-gray-200">Add a rule</p>
        <div className="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-[auto_1fr_2fr_1fr]">
          <NatTableProtocol id={`${id}-proto`} value={draft.protocol} onChange={(v) => edit('protocol', v)} wide />
          <WidgetField
            id={`${id}-ext`}
            label="Public port"
            value={draft.externalPort}
            onChange={(v) => edit('externalPort', v)}
            error={errors.externalPort}
            placeholder="2222"
            numeric
            inputRef={firstField}
          />
          <WidgetField
            id={`${id}-host`}
            label="Inside host"
            value={draft.internalAddress}
            onChange={(v) => edit('internalAddress', v)}
            error={errors.internalAddress}
            placeholder="192.168.1.30"
          />
          <WidgetField
            id={`${id}-port`}
            label="Inside port"
            value={draft.internalPort}
            onChange={(v) => edit('internalPort', v)}
            error={errors.internalPort}
            placeholder="22"
            numeric
          />
        </div>
        <button
          type="submit"
          className="mt-3 rounded-md bg-blue-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-blue-800 dark:bg-blue-600 dark:hover:bg-blue-700"
        >
          Add rule
        </button>
      </form>
    </div>
  );
}
