import { splitTerms, type GlossaryItem } from '../_lib/glossary';

const KIND: Record<GlossaryItem['kind'], string> = {
  errno: 'kernel error (errno)',
  lab: 'lab error code',
  state: 'socket state',
};

/** Text in which other glossary terms link to their entries on the same page. */
function Linked({ text, terms }: { text: string; terms: Set<string> }) {
  return (
    <>
      {splitTerms(text).map((p, i) =>
        typeof p === 'string' || !terms.has(p.term) ? (
          typeof p === 'string' ? p : p.term
        ) : (
          <a key={i} href={`#${p.term}`} className="font-mono text-blue-700 underline dark:text-blue-300">
            {p.term}
          </a>
        ),
      )}
    </>
  );
}

/** One glossary entry: the term, what it means, what leads to it, and where the course shows it. */
export function GlossaryEntryCard({ item, terms }: { item: GlossaryItem; terms: Set<string> }) {
  return (
    <li id={item.term} className="scroll-mt-20 rounded-xl border border-gray-200 p-4 target:border-blue-500 target:ring-2 target:ring-blue-500 dark:border-gray-800" data-term={item.term}>
      <h3 className="m-0 flex flex-wrap items-baseline gap-x-2">
        <span className="font-mono text-lg font-bold">{item.term}</span>
        <span className="text-xs font-normal text-gray-600 dark:text-gray-400">{KIND[item.kind]}</span>
      </h3>
      <p className="m-0 mt-1">
        <Linked text={item.meaning} terms={terms} />
      </p>
      <p className="m-0 mt-1 text-sm text-gray-700 dark:text-gray-300">
        {item.kind === 'state' ? 'How a socket gets here' : 'Usually'}: <Linked text={item.cause} terms={terms} />
      </p>
      {item.lesson || item.scenario ? (
        <p className="m-0 mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {item.lesson ? (
            <a href={item.lesson.href} className="text-blue-700 underline dark:text-blue-300">
              {item.lesson.label}
            </a>
          ) : null}
          {item.scenario ? (
            <a href={item.scenario.href} className="text-blue-700 underline dark:text-blue-300">
              See it live: {item.scenario.label}
            </a>
          ) : null}
        </p>
      ) : null}
    </li>
  );
}
