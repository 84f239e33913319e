import { glossaryEntry } from '../_lib/glossary';
import { GlossaryTerm } from './GlossaryTerm';
import { TermText } from './TermText';

/**
 * Plain text with `backticks` shown as code: objectives and summaries are written as plain strings.
 * Errno and state names in it are glossary cards.
 */
export function InlineCode({ text }: { text: string }) {
  const parts = text.split(/(`[^`]+`)/g);
  return (
    <>
      {parts.map((p, i) => {
        if (!(p.startsWith('`') && p.endsWith('`') && p.length > 2)) return <TermText key={i} text={p} />;
        const code = p.slice(1, -1);
        return glossaryEntry(code) ? (
          <GlossaryTerm key={i} term={code} />
        ) : (
          <code key={i} className="rounded bg-gray-100 px-1 font-mono text-[0.9em] dark:bg-gray-800">
            {code}
          </code>
        );
      })}
    </>
  );
}
