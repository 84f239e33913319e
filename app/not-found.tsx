import Link from 'next/link';
import { SiteHeader } from './_components/SiteHeader';

export default function NotFound() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="mx-auto max-w-2xl px-4 py-16 text-center">
        <p className="font-mono text-sm text-gray-600 dark:text-gray-400">connect() → ECONNREFUSED</p>
        <h1 className="mt-2 text-3xl font-extrabold">Nothing is listening here</h1>
        <p className="mt-3 text-gray-700 dark:text-gray-300">
          This page does not exist (HTTP 404). The address may be mistyped, or the lesson may have moved.
        </p>
        <Link href="/" className="mt-6 inline-block rounded-lg bg-blue-700 px-4 py-2 font-semibold text-white hover:bg-blue-800">
          Back to the course map
        </Link>
      </main>
    </>
  );
}
