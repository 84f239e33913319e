import type { Ref } from 'react';

interface Props {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  placeholder?: string;
  numeric?: boolean;
  /** Smaller text and padding, for fields in a table row (the firewall's rules). */
  compact?: boolean;
  className?: string;
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled text box whose error message is tied to it for screen readers. */
export function WidgetField({ id, label, value, onChange, error, placeholder, numeric, compact = false, className = '', inputRef }: Props) {
  return (
    <div className={`min-w-0 ${className}`}>
      <label htmlFor={id} className={`block ${compact ? 'text-xs' : 'text-sm'} font-medium text-gray-800 dark:text-gray-200`}>
        {label}
      </label>
      <input
        ref={inputRef}
        id={id}
        type="text"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        inputMode={numeric ? 'numeric' : undefined}
        maxLength={60}
        spellCheck={false}
        autoCapitalize="none"
        autoComplete="off"
        autoCorrect="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`${compact ? 'mt-0.5 px-2 py-1 sm:text-sm' : 'mt-1 px-2.5 py-1.5'} block w-full min-w-0 rounded-md border bg-white font-mono text-base text-gray-900 shadow-sm placeholder:text-gray-500 dark:bg-gray-950 dark:text-gray-100 dark:placeholder:text-gray-400 ${
          error ? 'border-red-600 dark:border-red-400' : 'border-gray-300 dark:border-gray-600'
        }`}
      />
      {error ? (
        <p id={`${id}-error`} className={`mt-1 ${compact ? 'text-xs' : 'text-sm'} text-red-800 dark:text-red-200`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
