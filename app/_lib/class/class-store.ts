/**
 * Which class this browser is in, if any: localStorage `socketlab:class` = {token, nickname, code}.
 * Read by the class bar on every page and by the lab's WebSocket URL. Storage is user-editable, so
 * what is read is checked with the class protocol's own schemas (zod/mini, small enough for every
 * page's first load): a token, a nickname and a join code as the server issued them.
 */
import { useSyncExternalStore } from 'react';
import * as z from 'zod/mini';
import { CanonicalJoinCodeSchema, NicknameSchema, TokenSchema } from '@/server/protocol/class';

export const CLASS_STORE_KEY = 'socketlab:class';

const MembershipSchema = z.object({ token: TokenSchema, nickname: NicknameSchema, code: CanonicalJoinCodeSchema });
export type ClassMembership = z.infer<typeof MembershipSchema>;

/** Anything but a well-formed entry counts as "not in a class". */
export function parseMembership(raw: string | null): ClassMembership | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = MembershipSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
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
