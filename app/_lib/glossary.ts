/**
 * The glossary: every errno and kernel state a learner meets, with its meaning (from the protocol's
 * meanings module) and where the course shows it: the lesson that explains it and the guided
 * scenario that makes the kernel produce it. Used by the lab's term cards, the lessons' prose and
 * the /glossary page.
 */
import { ERRNO_MEANINGS, STATE_MEANINGS, type Meaning } from '@/server/protocol/meanings';
import { LESSON_SLUGS, type LessonSlug } from '@/content/lessons';
import type { ScenarioName } from '@/content/scenarios';

export type TermKind = 'errno' | 'lab' | 'state';

export interface GlossaryEntry extends Meaning {
  term: string;
  kind: TermKind;
  /** The lesson that explains it. */
  lesson?: LessonSlug;
  /** A guided scenario in which the kernel really produces it. */
  scenario?: ScenarioName;
}

/** A glossary entry as the glossary page shows it: its lesson and scenario resolved to links. */
export interface GlossaryItem {
  term: string;
  kind: TermKind;
  meaning: string;
  cause: string;
  lesson?: { href: string; label: string };
  scenario?: { href: string; label: string };
}

/** Where the course shows each term. The unit tests check each lesson really mentions its term. */
const WHERE: Record<string, { lesson?: LessonSlug; scenario?: ScenarioName }> = {
  ECONNREFUSED: { lesson: 'client-side', scenario: 'connection-refused' },
  EADDRINUSE: { lesson: 'server-side', scenario: 'address-in-use' },
  EADDRNOTAVAIL: { lesson: 'ip-addresses' },
  EINVAL: { lesson: 'sockets' },
  EAGAIN: { lesson: 'chat-capstone' },
  EINPROGRESS: { lesson: 'client-side' },
  EPIPE: { lesson: 'conversation-and-close' },
  ECONNRESET: { lesson: 'conversation-and-close' },
  ETIMEDOUT: { lesson: 'client-side' },
  EHOSTUNREACH: { lesson: 'client-side' },
  ENETUNREACH: { lesson: 'client-side' },
  E_POLICY: { lesson: 'firewalls' },
  LISTEN: { lesson: 'server-side', scenario: 'server-side' },
  SYN_SENT: { lesson: 'client-side', scenario: 'accept-queue' },
  SYN_RECV: { lesson: 'client-side' },
  NEW_SYN_RECV: { scenario: 'accept-queue' },
  ESTABLISHED: { lesson: 'sockets', scenario: 'tcp-hello' },
  FIN_WAIT2: { scenario: 'half-close' },
  CLOSE_WAIT: { lesson: 'conversation-and-close', scenario: 'half-close' },
  LAST_ACK: { lesson: 'conversation-and-close' },
  TIME_WAIT: { lesson: 'conversation-and-close', scenario: 'half-close' },
  UNCONN: { lesson: 'ports-and-forwarding', scenario: 'stream-vs-datagram' },
};

function entriesOf(meanings: Record<string, Meaning>, kind: (term: string) => TermKind): GlossaryEntry[] {
  return Object.entries(meanings).map(([term, m]) => ({ term, kind: kind(term), ...m, ...WHERE[term] }));
}

export const GLOSSARY: readonly GlossaryEntry[] = [
  ...entriesOf(ERRNO_MEANINGS, (t) => (t.startsWith('E_') ? 'lab' : 'errno')),
  ...entriesOf(STATE_MEANINGS, () => 'state'),
].sort((a, b) => a.term.localeCompare(b.term));

/** How ss spells the kernel's states (it prints CLOSE-WAIT where /proc says CLOSE_WAIT). */
const SS_SPELLINGS: Record<string, string> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
};

const BY_TERM = new Map<string, GlossaryEntry>([
  ...GLOSSARY.map((e): [string, GlossaryEntry] => [e.term, e]),
  ...Object.entries(SS_SPELLINGS).map(([alias, term]): [string, GlossaryEntry] => [alias, GLOSSARY.find((e) => e.term === term)!]),
]);

/** The entry for a term, or for ss's spelling of a state. */
export function glossaryEntry(term: string): GlossaryEntry | undefined {
  return BY_TERM.get(term);
}

/**
 * Finds glossary terms as whole words in running text. Longest first, so CLOSE-WAIT wins over
 * CLOSE; `_` is a word character, so SYN_RECV inside NEW_SYN_RECV is not a match of its own; and a
 * term may not run on into a dash and more letters.
 */
const TERM_PATTERN = new RegExp(`\\b(${[...BY_TERM.keys()].sort((a, b) => b.length - a.length).join('|')})\\b(?!-\\w)`, 'g');

export type TextPart = string | { term: string };

/** Splits text into plain strings and glossary terms, in order. */
export function splitTerms(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(TERM_PATTERN)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ term: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

export function lessonHref(slug: LessonSlug): string {
  return `/learn/${slug}`;
}

export function lessonNumber(slug: LessonSlug): number {
  return LESSON_SLUGS.indexOf(slug) + 1;
}

export function scenarioHref(name: ScenarioName): string {
  return `/lab#${name}`;
}

export function glossaryHref(term: string): string {
  return `/glossary#${term}`;
}

/** Filters the glossary by a search: the term, or any word of its meaning or cause. */
export function searchGlossary<T extends Meaning & { term: string }>(query: string, entries: readonly T[]): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...entries];
  return entries.filter((e) => {
    const hay = `${e.term} ${e.meaning} ${e.cause}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
