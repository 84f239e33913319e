/** The fixed lesson skeleton, enforced at build time by scripts/check-content.ts. */

/** Each lesson must use each of these tags exactly as often as listed (min, max). */
export const REQUIRED_SECTIONS: Record<string, [min: number, max: number]> = {
  TryIt: [1, 1],
  Quiz: [1, 1],
  Recap: [1, 1],
  Diagram: [1, Infinity],
};

/** Tags that count as the lesson's interactive element; a lesson needs at least one. */
export const INTERACTIVE_TAGS = ['SocketLab', 'ChatLab', 'IpExplorer', 'NatTable', 'FirewallEvaluator', 'ByteView'];

/** Prose length the course aims for, in words (code and component props excluded). A warning, not an error. */
export const WORDS_RANGE: [number, number] = [700, 2000];
