'use client';
import { useId, useState } from 'react';
import { searchGlossary, type GlossaryItem, type TermKind } from '../_lib/glossary';
import { count, NOUNS } from '../_lib/plural';
import { GlossaryEntryCard } from './GlossaryEntryCard';

const GROUPS: { kind: TermKind; title: string; about: string }[] = [
  { kind: 'errno', title: 'Kernel errors (errno)', about: 'What the kernel answers when a call fails, or cannot finish yet.' },
  { kind: 'state', title: 'Socket states', about: "What the kernel's socket table says about a TCP or UDP socket (ss spells them with dashes: CLOSE-WAIT)." },
  { kind: 'lab', title: "The lab's own codes", about: 'The lab refused or stopped a call itself, before or instead of the kernel.' },
];

/** The glossary's list with a search box: type a code, a state, or any word of a meaning. */
export function GlossarySearch({ items }: { items: GlossaryItem[] }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const shown = searchGlossary(query, items);
  const terms = new Set(items.map((i) => i.term));
  return (
    <div className="mt-6">
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block font-medium">Search the glossary</span>
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="e.g. TIME_WAIT, refused, accept"
            className="mt-1 w-72 max-w-full rounded-md border border-gray-400 bg-white px-2 py-1.5 dark:border-gray-600 dark:bg-gray-900"
            data-testid="glossary-search"
          />
        </label>
        <p className="m-0 text-sm text-gray-700 dark:text-gray-300" role="status" data-testid="glossary-count">
          {query ? `${count(shown.length, NOUNS.term)} match “${query}”` : `${count(items.length, NOUNS.term)}`}
        </p>
      </div>
      {GROUPS.map((g) => {
        const inGroup = shown.filter((i) => i.kind === g.kind);
        if (!inGroup.length) return null;
        return (
          <section key={g.kind} aria-labelledby={`${id}-${g.kind}`} className="mt-6">
            <h2 id={`${id}-${g.kind}`} className="m-0 text-xl font-bold">
              {g.title}
            </h2>
            <p className="m-0 mt-1 text-sm text-gray-700 dark:text-gray-300">{g.about}</p>
            <ul className="mt-3 grid list-none gap-3 p-0 md:grid-cols-2">
              {inGroup.map((item) => (
                <GlossaryEntryCard key={item.term} item={item} terms={terms} />
              ))}
            </ul>
          </section>
        );
      })}
      {shown.length === 0 ? <p className="mt-4 text-sm">Nothing matches. Try a code like ECONNREFUSED or a word like &quot;closed&quot;.</p> : null}
    </div>
  );
}
