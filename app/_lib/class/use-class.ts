'use client';
/**
 * The student's class connection, one per tab and shared by every component that asks (the class
 * bar in the layout, the join page, the follow page), so a page change never opens a second one.
 * Loaded only when this browser is in a class or joins one: it brings zod with it.
 */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { forgetMembership, readMembership, saveMembership, subscribeMembership } from './class-store';
import { ClassConnection, INITIAL_CLASS_STATE, type ClassState, type JoinResult } from './class-connection';
import { INITIAL_INSTRUCTOR_STATE, InstructorConnection, type InstructorState } from './instructor-connection';
import { openSocket, socketUrl } from '../socket';

const classUrl = () => socketUrl('/class');

export type { ClassState, ClassStatus, ClassNotice, JoinResult } from './class-connection';

let connection: ClassConnection | null = null;

/** The tab's connection, made on first use (in the browser only). */
export function classConnection(): ClassConnection {
  if (!connection) {
    const c = new ClassConnection({
      url: classUrl,
      createSocket: openSocket,
      store: { read: readMembership, save: saveMembership, forget: forgetMembership },
    });
    subscribeMembership(() => c.membershipChanged());
    window.addEventListener('online', () => c.retryNow());
    connection = c;
  }
  return connection;
}

const subscribe = (listener: () => void) => classConnection().subscribe(listener);
const snapshot = () => connection?.getState() ?? INITIAL_CLASS_STATE;
const serverSnapshot = () => INITIAL_CLASS_STATE;

export interface ClassApi extends ClassState {
  join(code: string, nickname: string): Promise<JoinResult>;
  leave(): void;
  shareLab(watchToken: string | null): boolean;
  dismissNotice(id: number): void;
}

/**
 * The class as this tab sees it. With `resume`, the stored membership (if any) is resumed on mount;
 * the join page leaves it off so it never opens a connection for a browser that is not in a class.
 */
export function useClass({ resume = true }: { resume?: boolean } = {}): ClassApi {
  const state = useSyncExternalStore(subscribe, snapshot, serverSnapshot);
  useEffect(() => {
    if (resume) classConnection().start();
  }, [resume]);
  return {
    ...state,
    join: (code, nickname) => classConnection().join(code, nickname),
    leave: () => classConnection().leave(),
    shareLab: (watchToken) => classConnection().shareLab(watchToken),
    dismissNotice: (id) => classConnection().dismissNotice(id),
  };
}

// ---------------------------------------------------------------------------------------
// The instructor's dashboard: its own connection, made per key and closed with the page.

export type { Dashboard, InstructorState, InstructorStatus } from './instructor-connection';

export interface InstructorApi extends InstructorState {
  openLesson(slug: string | null): boolean;
  present(watchToken: string | null): boolean;
  endClass(): boolean;
}

const noSubscribe = () => () => {};
const initialInstructor = () => INITIAL_INSTRUCTOR_STATE;

export function useInstructorClass(key: string | null): InstructorApi {
  const [conn, setConn] = useState<InstructorConnection | null>(null);
  useEffect(() => {
    if (!key) return;
    const c = new InstructorConnection(key, { url: classUrl, createSocket: openSocket });
    const online = () => c.retryNow();
    window.addEventListener('online', online);
    setConn(c);
    c.start();
    return () => {
      window.removeEventListener('online', online);
      c.stop();
      setConn(null);
    };
  }, [key]);
  const state = useSyncExternalStore(conn?.subscribe ?? noSubscribe, conn?.getState ?? initialInstructor, initialInstructor);
  const openLesson = useCallback((slug: string | null) => conn?.openLesson(slug) ?? false, [conn]);
  const present = useCallback((token: string | null) => conn?.present(token) ?? false, [conn]);
  const endClass = useCallback(() => conn?.endClass() ?? false, [conn]);
  return { ...state, openLesson, present, endClass };
}
