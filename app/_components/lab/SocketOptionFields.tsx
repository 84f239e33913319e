'use client';
import type { SocketOption } from '@/server/protocol';
import { isSocketOption, optionInfo, optionMismatch, optionsByGroup, type OptionDraft } from '@/app/_lib/lab/socket-options';

interface Props {
  op: 'setsockopt' | 'getsockopt';
  sock: { handle: string; type: 'tcp' | 'udp'; family: 4 | 6; bound: boolean };
  option: SocketOption;
  onOption: (option: SocketOption) => void;
  draft: OptionDraft;
  onDraft: (draft: OptionDraft) => void;
  /** Why the value cannot be sent as typed, or null. */
  valueError: string | null;
  /** The server cannot make option calls at all (the fallback engine): why, in words. */
  unsupported: string | null;
  /** The form's id prefix, so labels and hints point at their own fields. */
  id: string;
  field: string;
  label: string;
}

/**
 * setsockopt()/getsockopt() on a socket's card: the option picker (grouped by level, each with its
 * one-line hint) and, for setsockopt, the value shaped by the option: a switch, a number with its
 * unit, or linger's switch and seconds.
 */
export function SocketOptionFields({ op, sock, option, onOption, draft, onDraft, valueError, unsupported, id, field, label }: Props) {
  const info = optionInfo(option);
  const shape = info.shape;
  const mismatch = optionMismatch(op, option, sock);
  const hintId = `${id}-opt-hint`;
  const errorId = `${id}-opt-error`;
  const described = valueError ? `${hintId} ${errorId}` : hintId;
  return (
    <div className="col-span-2 space-y-1" data-testid="option-fields">
      <div>
        <label htmlFor={`${id}-opt`} className={label}>
          option
        </label>
        <select id={`${id}-opt`} className={field} value={option} onChange={(e) => {
            if (isSocketOption(e.target.value)) onOption(e.target.value);
          }} aria-describedby={hintId}>
          {optionsByGroup().map(({ group, options }) => (
            <optgroup key={group.id} label={group.label}>
              {options.map((o) => (
                <option key={o.option} value={o.option} disabled={op === 'setsockopt' && o.shape.kind === 'read-only'}>
                  {o.option}
                  {op === 'setsockopt' && o.shape.kind === 'read-only' ? ' (read only)' : ''}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <p id={hintId} className="m-0 mt-0.5 text-xs text-gray-700 dark:text-gray-300" data-testid="option-hint">
          {info.hint}
        </p>
      </div>
      {op === 'setsockopt' && shape.kind === 'flag' ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={draft.on} onChange={(e) => onDraft({ ...draft, on: e.target.checked })} aria-describedby={hintId} />
          {option} on <span className="text-xs text-gray-700 dark:text-gray-300">(sends {draft.on ? 1 : 0})</span>
        </label>
      ) : null}
      {op === 'setsockopt' && shape.kind === 'number' ? (
        <div>
          <label htmlFor={`${id}-opt-value`} className={label}>
            value ({shape.unit})
          </label>
          <input
            id={`${id}-opt-value`}
            className={field}
            inputMode="numeric"
            value={draft.number}
            onChange={(e) => onDraft({ ...draft, number: e.target.value })}
            aria-invalid={valueError ? true : undefined}
            aria-describedby={described}
            autoComplete="off"
          />
        </div>
      ) : null}
      {op === 'setsockopt' && shape.kind === 'linger' ? (
        <div className="grid grid-cols-2 items-end gap-2">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={draft.on} onChange={(e) => onDraft({ ...draft, on: e.target.checked })} />
            linger on
          </label>
          <div>
            <label htmlFor={`${id}-opt-linger`} className={label}>
              seconds (0: close() sends a RST)
            </label>
            <input
              id={`${id}-opt-linger`}
              className={field}
              inputMode="numeric"
              value={draft.lingerSeconds}
              onChange={(e) => onDraft({ ...draft, lingerSeconds: e.target.value })}
              aria-invalid={valueError ? true : undefined}
              aria-describedby={described}
              autoComplete="off"
            />
          </div>
        </div>
      ) : null}
      {op === 'setsockopt' && shape.kind === 'read-only' ? (
        <p className="m-0 text-xs text-gray-700 dark:text-gray-300">{option} can only be read: pick getsockopt().</p>
      ) : null}
      {valueError ? (
        <p id={errorId} className="m-0 text-xs font-semibold text-red-800 dark:text-red-300" data-testid="option-value-error">
          {valueError}
        </p>
      ) : null}
      {unsupported ? (
        <p className="m-0 rounded bg-amber-50 px-1.5 py-1 text-xs text-amber-950 dark:bg-amber-950/40 dark:text-amber-100" data-testid="option-unsupported">
          {op}() will answer E_UNSUPPORTED here: {unsupported}. You can still make the call and see that answer.
        </p>
      ) : mismatch ? (
        <p className="m-0 text-xs text-amber-900 dark:text-amber-200" data-testid="option-mismatch">
          Likely {mismatch.code}: {mismatch.why}.
        </p>
      ) : null}
    </div>
  );
}
