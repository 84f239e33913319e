import type { ComponentProps } from 'react';
import { CopyButton } from './CopyButton';

/**
 * Languages that mark what a command printed rather than something to type (docs/authoring.md):
 * ```text, and a fence with no language (rehype-pretty-code names it plaintext).
 */
const OUTPUT_LANGUAGES = new Set(['text', 'txt', 'plaintext']);

type Props = ComponentProps<'pre'> & { 'data-language'?: string };

// Important: the lesson's prose-pre:p-0 would otherwise win over these.
const PRE = 'rounded-lg border border-gray-200 bg-gray-50 py-2! pl-4! text-sm dark:border-gray-800 dark:bg-gray-900';

/**
 * Every fenced code block, highlighted by rehype-pretty-code at build time. Commands get a copy
 * button, sized and placed to sit on the first line so it fits a one-line block; output gets none
 * (nobody types it back) and a dashed border, so the two read apart at a glance.
 */
export function CodeBlock(props: Props) {
  const output = OUTPUT_LANGUAGES.has(props['data-language'] ?? 'plaintext');
  return (
    <div className="relative" data-copy-scope={output ? undefined : true} data-output={output || undefined}>
      <pre {...props} className={`${props.className ?? ''} ${PRE} ${output ? 'border-dashed pr-4!' : 'pr-16!'}`} tabIndex={0} />
      {output ? null : <CopyButton />}
    </div>
  );
}
