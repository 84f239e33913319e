/**
 * When two nicknames are one name. The class store keeps two keys per student, each unique, and a
 * nickname is taken when either key is:
 * - `folded`: the same name in any case, with a full Unicode case fold (not SQLite's ASCII-only
 *   NOCASE: "Émile" and "émile"), and look-alike letters mapped ("аlice" with a Cyrillic "а");
 * - `look`: the same look as written, case kept ("AIice" with a capital i beside "Alice").
 * Folding before the skeleton catches case variants but loses "I" against "l"; the skeleton of the
 * name as written keeps it, without making "Ian" and "Lan" one name. Both start from NFKC, so
 * full-width letters ("Ｆｕｌｌ") are plain ones.
 * The skeleton is UTS #39's, with Unicode's confusables.txt as the unhomoglyph package ships it.
 */
import { createRequire } from 'node:module';
import type unhomoglyphFn from 'unhomoglyph';

/** Loaded on first use: its table (6,300 characters, one large pattern) is for a class only. */
let unhomoglyph: typeof unhomoglyphFn | null = null;

export interface NicknameKeys {
  folded: string;
  look: string;
}

/**
 * Full case folding. JavaScript has no `casefold`; upper-casing then lower-casing gives the same
 * classes as Unicode's full folding (CaseFolding.txt, C+F) for names: "ß", "ẞ" and "SS" all
 * become "ss", final "ς" becomes "σ", and the ligature "ﬁ" becomes "fi".
 */
export function foldCase(s: string): string {
  return s.toUpperCase().toLowerCase();
}

/** UTS #39 skeleton: decompose, map each confusable to its prototype, decompose again. */
export function skeleton(s: string): string {
  unhomoglyph ??= createRequire(import.meta.url)('unhomoglyph') as typeof unhomoglyphFn;
  return unhomoglyph(s.normalize('NFD')).normalize('NFD');
}

export function nicknameKeys(nickname: string): NicknameKeys {
  const compatible = nickname.normalize('NFKC');
  return { folded: skeleton(foldCase(compatible)), look: skeleton(compatible) };
}
