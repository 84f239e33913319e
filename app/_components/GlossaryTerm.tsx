import { glossaryEntry, glossaryHref, lessonHref, lessonNumber, scenarioHref, type GlossaryEntry } from '../_lib/glossary';
import { SCENARIOS } from '@/content/scenarios';
import { Term, type TermLink } from './Term';

function linksOf(e: GlossaryEntry, withGlossary: boolean): TermLink[] {
  const links: TermLink[] = [];
  if (e.lesson) links.push({ href: lessonHref(e.lesson), label: `Lesson ${lessonNumber(e.lesson)}` });
  if (e.scenario) links.push({ href: scenarioHref(e.scenario), label: `See it: ${SCENARIOS[e.scenario].title}` });
  if (withGlossary) links.push({ href: glossaryHref(e.term), label: 'Glossary' });
  return links;
}

/**
 * A known errno or state name as a glossary card; anything else as plain code. Renders on the
 * server in lessons (the card's text travels as props, the glossary stays on the server) and in the
 * browser in the lab.
 */
export function GlossaryTerm({ term, code = true, glossaryLink = true }: { term: string; code?: boolean; glossaryLink?: boolean }) {
  const e = glossaryEntry(term);
  if (!e) return code ? <code>{term}</code> : <>{term}</>;
  return <Term term={e.term} label={term} meaning={e.meaning} cause={e.cause} causeLabel={e.kind === 'state' ? 'How a socket gets here' : 'Usually'} links={linksOf(e, glossaryLink)} code={code} />;
}
