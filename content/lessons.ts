/**
 * The course, in order. This list is the single source of lesson order: the course map, prev/next
 * links and static generation all read it. To add a lesson, drop `content/<slug>.mdx` in and add
 * its slug here (docs/authoring.md).
 */
export const LESSON_SLUGS = [
  'what-is-a-socket-program',
  'networks',
  'protocols',
  'ip-addresses',
  'ports-and-forwarding',
  'firewalls',
  'sockets',
  'stream-vs-datagram',
  'server-side',
  'client-side',
  'conversation-and-close',
  'how-the-web-works',
  'dual-stack',
  'dead-peers-and-timeouts',
  'small-writes',
  'tls-from-code',
  'many-clients',
  'chat-capstone',
] as const;

export type LessonSlug = (typeof LESSON_SLUGS)[number];

export function isLessonSlug(s: string): s is LessonSlug {
  return (LESSON_SLUGS as readonly string[]).includes(s);
}
