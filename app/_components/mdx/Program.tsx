import { readFileSync } from 'node:fs';
import path from 'node:path';
import { codeToHtml } from 'shiki';
import { CopyButton } from './CopyButton';

const LANGS: Record<string, { lang: string; label: string }> = {
  '.py': { lang: 'python', label: 'Python' },
  '.c': { lang: 'c', label: 'C' },
  '.ts': { lang: 'typescript', label: 'TypeScript (Node.js)' },
  '.js': { lang: 'javascript', label: 'JavaScript (Node.js)' },
  '.sh': { lang: 'bash', label: 'Shell' },
};

/**
 * A complete program from public/programs/, shown highlighted with copy and download. The lesson
 * shows the very file learners download and the tests run, so the two cannot drift apart.
 */
export async function Program({ src, title }: { src: string; title?: string }) {
  if (!/^[a-z0-9-]+(\/[a-z0-9_.-]+)+$/.test(src) || src.includes('..')) {
    throw new Error(`<Program src="${src}">: use a path like "chat/server.py" under public/programs/`);
  }
  const file = path.join(process.cwd(), 'public', 'programs', src);
  let code: string;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`<Program src="${src}">: public/programs/${src} does not exist`);
  }
  const info = LANGS[path.extname(src)] ?? { lang: 'text', label: 'Text' };
  const html = await codeToHtml(code, {
    lang: info.lang,
    themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' },
    defaultColor: false,
  });
  const name = path.basename(src);
  return (
    <figure data-copy-scope className="not-prose my-6 overflow-hidden rounded-lg border border-gray-200 dark:border-gray-800">
      <figcaption className="flex flex-wrap items-center justify-between gap-2 border-b border-gray-200 bg-gray-50 px-3 py-2 text-sm dark:border-gray-800 dark:bg-gray-900">
        <span>
          <span className="font-mono font-semibold">{title ?? name}</span>
          <span className="ml-2 text-gray-600 dark:text-gray-400">{info.label}</span>
        </span>
        <span className="flex gap-2">
        <CopyButton label="Copy" className="rounded-md border border-gray-300 px-2 py-0.5 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800" />
        <a href={`/programs/${src}`} download={name} className="no-print rounded-md border border-gray-300 px-2 py-0.5 hover:bg-gray-100 dark:border-gray-600 dark:hover:bg-gray-800">
          Download <span className="sr-only">{name}</span>
        </a>
        </span>
      </figcaption>
      <div className="max-h-[36rem] overflow-auto text-sm [&_pre]:m-0 [&_pre]:p-4" tabIndex={0} role="region" aria-label={`Source of ${name}`} dangerouslySetInnerHTML={{ __html: html }} />
    </figure>
  );
}
