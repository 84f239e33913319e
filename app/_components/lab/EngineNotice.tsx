import type { Hello } from '@/server/protocol';

/** With the fallback engine, say plainly which steps it performs together or differently. */
export function EngineNotice({ hello }: { hello: Hello }) {
  const entries = Object.entries(hello.composite);
  if (hello.engine === 'native' || !entries.length) return null;
  return (
    <details className="rounded-lg border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-700 dark:bg-amber-950/40" data-testid="engine-notice">
      <summary className="cursor-pointer font-semibold">This server uses the fallback engine: some steps are combined</summary>
      <p className="m-0 mt-1 text-xs">The native engine could not be built here, so the lab uses Node&apos;s own networking, which groups some system calls together:</p>
      <ul className="m-0 mt-1 list-disc pl-5 text-xs">
        {entries.map(([op, note]) => (
          <li key={op}>
            <code>{op}</code>: {note}
          </li>
        ))}
      </ul>
    </details>
  );
}
