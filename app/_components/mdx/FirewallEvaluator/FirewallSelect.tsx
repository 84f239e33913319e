import type { Ref } from 'react';

interface Props<T extends string> {
  id: string;
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  className?: string;
  selectRef?: Ref<HTMLSelectElement>;
}

/** A labelled drop-down with a fixed set of values. */
export function FirewallSelect<T extends string>({ id, label, value, options, onChange, className = '', selectRef }: Props<T>) {
  return (
    <div className={`min-w-0 ${className}`}>
      <label htmlFor={id} className="block text-xs font-medium text-gray-800 dark:text-gray-200">
        {label}
      </label>
      <select
        ref={selectRef}
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
        className="mt-0.5 block w-full rounded-md border border-gray-300 bg-white px-1.5 py-1 text-base text-gray-900 sm:text-sm dark:border-gray-600 dark:bg-gray-950 dark:text-gray-100"
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
