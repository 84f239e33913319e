/**
 * Which class this browser is in, if any: localStorage `socketlab:class` = {token, nickname, code}.
 * Read by the class bar on every page and by the lab's WebSocket URL, so it stays tiny and imports no
 * zod: the protocol's schemas would otherwise land in every page's first-load JS. The patterns below
 * mirror TokenSchema and JoinCodeSchema in server/protocol/class.ts (a unit test keeps them in step).
 */
import { useSyncExternalStore } from 'react';

export const CLASS_STORE_KEY = 'socketlab:class';

export interface ClassMembership {
  token: string;
  nickname: string;
  code: string;
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
export const CODE_PATTERN = /^[2-9A-HJKMNP-Z]{6}$/;
/** NICKNAME_MAX in server/protocol/class.ts, in code points (not imported: that module brings zod). */
const MAX_NICKNAME = 32;

/** Storage is user-editable: anything but a well-formed entry counts as "not in a class". */
export function parseMembership(raw: string | null): ClassMembership | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { token, nickname, code } = value as Record<string, unknown>;
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) return null;
  if (typeof nickname !== 'string') return null;
  const nick = nickname.trim();
  if (!nick || [...nick].length > MAX_NICKNAME) return null;
  return { token, nickname: nick, code };
}

const listeners = new Set<() => void>();
let cachedRaw: string | null | undefined;
let cachedValue: ClassMembership | null = null;

export function readMembership(): ClassMembership | null {
  let raw: string | null;
  try {
    raw = localStorage.getItem(CLASS_STORE_KEY);
  } catch {
    return null; // storage disabled: this browser cannot stay in a class across pages
  }
  if (raw !== cachedRaw) {
    cachedRaw = raw;
    cachedValue = parseMembership(raw);
  }
  return cachedValue;
}

function write(value: ClassMembership | null): void {
  try {
    if (value) localStorage.setItem(CLASS_STORE_KEY, JSON.stringify(value));
    else localStorage.removeItem(CLASS_STORE_KEY);
  } catch {
    /* storage full or disabled: the class still works in this page */
  }
  for (const l of listeners) l();
}

export function saveMembership(m: ClassMembership): void {
  write({ token: m.token, nickname: m.nickname, code: m.code });
}

export function forgetMembership(): void {
  write(null);
}

/** The token that tags this browser's lab sessions while it is in a class. */
export function classTokenForLab(): string | null {
  return readMembership()?.token ?? null;
}

/** Changes made here and in other tabs. */
export function subscribeMembership(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === CLASS_STORE_KEY || e.key === null) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useClassMembership(): ClassMembership | null {
  return useSyncExternalStore(subscribeMembership, readMembership, () => null);
}
