import type { ComponentProps } from 'react';
import { CopyButton } from './CopyButton';

/** Every fenced code block: highlighted by rehype-pretty-code at build time, with a copy button. */
export function CodeBlock(props: ComponentProps<'pre'>) {
  return (
    <div className="relative" data-copy-scope>
      <pre {...props} className={`${props.className ?? ''} rounded-lg border border-gray-200 bg-gray-50 pr-16 text-sm dark:border-gray-800 dark:bg-gray-900`} tabIndex={0} />
      <CopyButton />
    </div>
  );
}
