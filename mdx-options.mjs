/**
 * The lesson MDX pipeline: one list of plugins for the site (next.config.mjs) and for the tests that
 * compile lessons the way the site does. Plugins are named by package or by path, with plain JSON
 * options: Turbopack hands loader options across a worker boundary, and functions do not survive it.
 */
import { fileURLToPath } from 'node:url';

export const mdxOptions = {
  remarkPlugins: ['remark-gfm', 'remark-frontmatter', ['remark-mdx-frontmatter', { name: 'frontmatter' }]],
  rehypePlugins: [
    'rehype-slug',
    ['rehype-pretty-code', { theme: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' }, keepBackground: false, defaultLang: 'plaintext' }],
    // Last, so it sees every heading id as the page will have it.
    fileURLToPath(new URL('./scripts/rehype-outline.mjs', import.meta.url)),
  ],
};
