import Link from 'next/link';

interface Neighbour {
  slug: string;
  title: string;
}

export function PrevNext({ prev, next }: { prev?: Neighbour; next?: Neighbour }) {
  return (
    <nav aria-label="Lessons" className="no-print mt-10 grid gap-3 border-t border-gray-200 pt-6 sm:grid-cols-2 dark:border-gray-800">
      {prev ? (
        <Link href={`/learn/${prev.slug}`} rel="prev" className="rounded-lg border border-gray-200 p-3 hover:border-blue-500 dark:border-gray-800">
          <span className="block text-xs text-gray-600 dark:text-gray-400">← Previous</span>
          <span className="font-semibold">{prev.title}</span>
        </Link>
      ) : (
        <Link href="/" className="rounded-lg border border-gray-200 p-3 hover:border-blue-500 dark:border-gray-800">
          <span className="block text-xs text-gray-600 dark:text-gray-400">← Back to</span>
          <span className="font-semibold">The course map</span>
        </Link>
      )}
      {next ? (
        <Link href={`/learn/${next.slug}`} rel="next" className="rounded-lg border border-gray-200 p-3 text-right hover:border-blue-500 dark:border-gray-800">
          <span className="block text-xs text-gray-600 dark:text-gray-400">Next →</span>
          <span className="font-semibold">{next.title}</span>
        </Link>
      ) : (
        <Link href="/" className="rounded-lg border border-gray-200 p-3 text-right hover:border-blue-500 dark:border-gray-800">
          <span className="block text-xs text-gray-600 dark:text-gray-400">You finished the course →</span>
          <span className="font-semibold">The course map</span>
        </Link>
      )}
    </nav>
  );
}
