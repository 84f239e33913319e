import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One of our own SVG diagrams from public/diagrams/, inlined at build time so it can use the
 * page's colours (the --dg-* variables in globals.css) and read well in light and dark mode.
 * A missing file fails the build, naming it.
 */
export function Diagram({ src, alt, caption }: { src: string; alt: string; caption?: string }) {
  if (!/^[a-z0-9-]+\.svg$/.test(src)) throw new Error(`<Diagram src="${src}">: use a file name like "five-tuple.svg"`);
  const file = path.join(process.cwd(), 'public', 'diagrams', src);
  let svg: string;
  try {
    svg = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`<Diagram src="${src}">: public/diagrams/${src} does not exist`);
  }
  svg = svg.replace(/<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/i, '');
  return (
    <figure className="not-prose my-8">
      <div
        role="img"
        aria-label={alt}
        className="diagram mx-auto w-full max-w-3xl overflow-x-auto rounded-xl border border-gray-200 bg-white p-3 text-[var(--dg-fg)] dark:border-gray-800 dark:bg-gray-950 [&>svg]:h-auto [&>svg]:w-full"
        dangerouslySetInnerHTML={{ __html: svg }}
      />
      {caption ? <figcaption className="mt-2 text-center text-sm text-gray-600 dark:text-gray-400">{caption}</figcaption> : null}
    </figure>
  );
}
