import type { TocEntry } from '../_lib/toc';

/** "On this page": a sticky list beside the lesson on wide screens, a collapsed disclosure on phones. */
export function TableOfContents({ entries, variant }: { entries: TocEntry[]; variant: 'sidebar' | 'collapsed' }) {
  const list = (
    <ol className="space-y-1.5 text-sm">
      {entries.map((e) => (
        <li key={e.id}>
          <a href={`#${e.id}`} className="text-gray-700 hover:text-blue-700 hover:underline dark:text-gray-300 dark:hover:text-blue-300">
            {e.text}
          </a>
        </li>
      ))}
    </ol>
  );
  if (variant === 'collapsed') {
    return (
      <details className="no-print mb-6 rounded-lg border border-gray-200 p-3 lg:hidden dark:border-gray-800">
        <summary className="cursor-pointer font-semibold">On this page</summary>
        <nav aria-label="On this page" className="mt-3">
          {list}
        </nav>
      </details>
    );
  }
  return (
    <nav aria-label="On this page" className="no-print sticky top-20 hidden max-h-[calc(100vh-6rem)] overflow-y-auto lg:block">
      <p className="mb-2 text-xs font-semibold uppercase tracking-wide text-gray-600 dark:text-gray-400">On this page</p>
      {list}
    </nav>
  );
}
