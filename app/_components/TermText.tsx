import { splitTerms } from '../_lib/glossary';
import { GlossaryTerm } from './GlossaryTerm';

/** Running text in which every errno and state name is a glossary card. */
export function TermText({ text, code = false }: { text: string; code?: boolean }) {
  const parts = splitTerms(text);
  if (parts.length === 1 && typeof parts[0] === 'string') return <>{text}</>;
  return (
    <>
      {parts.map((p, i) => (typeof p === 'string' ? p : <GlossaryTerm key={i} term={p.term} code={code} />))}
    </>
  );
}
