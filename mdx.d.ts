declare module '*.mdx' {
  import type { MDXProps } from 'mdx/types';
  export const frontmatter: unknown;
  export default function MDXContent(props: MDXProps): JSX.Element;
}
