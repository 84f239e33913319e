import type { ComponentProps } from 'react';
import { glossaryEntry } from '../_lib/glossary';
import { GlossaryTerm } from './GlossaryTerm';
import { textOf } from '../_lib/react-text';

/**
 * Inline code that is exactly a glossary term (`EADDRINUSE`) becomes its card. rehype-pretty-code
 * has already wrapped inline code in spans; a block's <code> carries a style, inline code none.
 */
export function CodeTerm(props: ComponentProps<'code'>) {
  if (!props.style) {
    const text = textOf(props.children).trim();
    if (glossaryEntry(text)) return <GlossaryTerm term={text} />;
  }
  return <code {...props} />;
}
