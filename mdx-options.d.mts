/** Types for mdx-options.mjs (plain JavaScript, so next.config.mjs can import it). */
/** A plugin by package name or file path, with JSON options. */
export type PluginSpec = string | [string, Record<string, unknown>];

export declare const mdxOptions: {
  remarkPlugins: PluginSpec[];
  rehypePlugins: PluginSpec[];
};
