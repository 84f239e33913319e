export const CHROMIUM_CANDIDATES: string[];
export const CHROMIUM_HINT: string;
export function findChromium(): string | null;
