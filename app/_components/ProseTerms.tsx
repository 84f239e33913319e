import { Children, type ComponentProps, type ReactNode } from 'react';
import { CodeTerm } from './CodeTerm';
import { TermText } from './TermText';

type ProseTag = 'p' | 'li' | 'td' | 'th' | 'strong' | 'em';

function withTerms<T extends ProseTag>(Tag: T) {
  function Prose(props: ComponentProps<T>) {
    const { children, ...rest } = props as { children?: ReactNode };
    // Only the element's own text: a link's text stays a link, never a card inside a link.
    const marked = Children.map(children, (c) => (typeof c === 'string' ? <TermText text={c} /> : c));
    const Element = Tag as 'p';
    return <Element {...(rest as ComponentProps<'p'>)}>{marked}</Element>;
  }
  Prose.displayName = `Prose(${Tag})`;
  return Prose;
}

/**
 * MDX element overrides that make every errno and state name in a lesson's prose a glossary card.
 * They render on the server: a lesson ships only the small card component, not the glossary.
 */
export const proseTermComponents = {
  p: withTerms('p'),
  li: withTerms('li'),
  td: withTerms('td'),
  th: withTerms('th'),
  strong: withTerms('strong'),
  em: withTerms('em'),
  code: CodeTerm,
};
