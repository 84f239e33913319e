import createMDX from '@next/mdx';
import { mdxOptions } from './mdx-options.mjs';

const withMDX = createMDX({ extension: /\.mdx$/, options: mdxOptions });

/** @type {import('next').NextConfig} */
const nextConfig = {
  pageExtensions: ['ts', 'tsx', 'mdx'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The lab server (server/) runs beside Next in one process; keep Next from bundling it.
  serverExternalPackages: ['ws'],
};

export default withMDX(nextConfig);
