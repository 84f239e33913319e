import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { THEME_INIT_SCRIPT } from './_lib/theme';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Socket Lab', template: '%s · Socket Lab' },
  description:
    'Learn how network sockets really work: short lessons beside live demos where every step is a real system call on a real kernel socket.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0b1120' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-white text-gray-900 antialiased dark:bg-[#0b1120] dark:text-gray-100">
        {children}
      </body>
    </html>
  );
}
