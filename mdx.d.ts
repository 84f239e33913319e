declare module '*.mdx' {
  import type { MDXProps } from 'mdx/types';
  import type { OutlineItem } from '@/app/_lib/toc';
  export const frontmatter: unknown;
  /** Added by scripts/rehype-outline.mjs. */
  export const outline: OutlineItem[];
  export default function MDXContent(props: MDXProps): JSX.Element;
}
