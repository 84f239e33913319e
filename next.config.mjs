import createMDX from '@next/mdx';

// Turbopack passes loader options across a worker boundary, so plugins are named
// by package and their options must be plain JSON (see DESIGN.md, stack facts).
const withMDX = createMDX({
  extension: /\.mdx$/,
  options: {
    remarkPlugins: ['remark-gfm', 'remark-frontmatter', ['remark-mdx-frontmatter', { name: 'frontmatter' }]],
    rehypePlugins: [
      'rehype-slug',
      ['rehype-pretty-code', { theme: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' }, keepBackground: false, defaultLang: 'plaintext' }],
    ],
  },
});

/** @type {import('next').NextConfig} */
const nextConfig = {
  pageExtensions: ['ts', 'tsx', 'mdx'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The lab server (server/) runs beside Next in one process; keep Next from bundling it.
  serverExternalPackages: ['ws'],
};

export default withMDX(nextConfig);
