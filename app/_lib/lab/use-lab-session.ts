'use client';
/**
 * One live lab session for a component: the WebSocket to /lab, the typed client, the state derived
 * from the server's events, and the kernel view refreshed after every step and kernel event.
 * If the connection drops (a server restart, a network blip) it reconnects on its own and says that
 * the new session starts with no sockets.
 */
import { startTransition, useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { LabClient, type CallResult, type ClientEvent } from '@/server/protocol/client';
import { isQuery, NO_PROVISIONAL, provisionalReducer, type ProvisionalCall } from './provisional';
import { ProvisionalLabClient } from './provisional-client';
import { afterNextFrame, PaintGate } from './paint-gate';
import type { ArgsOf, Op } from '@/server/protocol';
import { applyKernel, applyKernelEvent, applyStep, EMPTY_LAB, type LabState } from './state';
import { packetsReducer } from './packets/reducer';
import { NO_PACKETS, type PacketsState } from './packets/store';
import { classTokenForLab } from '../class/class-store';
import { RetrySchedule, type Backoff } from '../backoff';
import { openSocket, socketUrl } from '../socket';

export type LabStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Reconnects spread at random over a window that doubles up to 8 s, so a restart meets no herd. */
const LAB_RECONNECT: Backoff = { baseMs: 500, maxMs: 8000 };

type Action =
  | { type: 'reset' }
  | { type: 'event'; event: ClientEvent }
  | { type: 'kernel'; rows: LabState['kernel']; seq: number }
  | { type: 'kernel-error'; message: string };

function reducer(state: LabState, action: Action): LabState {
  switch (action.type) {
    case 'reset':
      return EMPTY_LAB;
    case 'kernel':
      return applyKernel(state, action.rows, action.seq);
    case 'kernel-error':
      return { ...state, kernelError: action.message };
    case 'event': {
      const e = action.event;
      if (e.event === 'hello') return { ...EMPTY_LAB, hello: e };
      if (e.event === 'step') return isQuery(e.op) ? state : applyStep(state, e);
      if (e.event === 'kernel') return applyKernelEvent(state, e);
      if (e.event === 'kernel-table') return applyKernel(state, e.rows, Number.MAX_SAFE_INTEGER);
      return state;
    }
  }
}

/**
 * Runs `fn` once the browser has painted the next frame and has nothing more urgent to do: the
 * kernel view is background work, so it waits for input and for the frame's own follow-up tasks.
 * The timeout bounds the wait on a busy page. Hidden tabs paint no frames, so a timer stands in for
 * them; browsers without idle callbacks (Safari) run it just after the frame.
 */
function afterNextPaint(fn: () => void): void {
  if (document.visibilityState === 'hidden') {
    setTimeout(fn, 0);
    return;
  }
  requestAnimationFrame(() => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(fn, { timeout: 100 });
    else setTimeout(fn, 0);
  });
}

export function labUrl(watch?: string): string {
  // In a class, the student's own sessions carry their class token so the instructor's feed shows their calls.
  const student = watch ? null : classTokenForLab();
  return socketUrl('/lab', watch ? { watch } : student ? { student } : {});
}

export interface LabSessionApi {
  state: LabState;
  /** Calls made and not yet answered, oldest first: drawn as provisional rows (provisional.ts). */
  provisional: readonly ProvisionalCall[];
  status: LabStatus;
  /** Why the last connection ended, in plain words, when it did. */
  notice: string | null;
  dismissNotice(): void;
  client: LabClient | null;
  call<O extends Op>(op: O, args: ArgsOf<O>): Promise<CallResult<O>>;
  /** Closes every socket by starting a fresh session. */
  reset(): void;
  /** Bumps whenever a new session starts, so dependants (a scenario) can restart. */
  generation: number;
  /** The session's captured packets and the capture's state (issue 17). */
  packets: PacketsState;
}

export interface LabSessionOptions {
  /** Mirror another session read-only (`/lab?watch=<token>`) instead of opening one's own. */
  watch?: string;
}

export function useLabSession({ watch }: LabSessionOptions = {}): LabSessionApi {
  const [state, dispatch] = useReducer(reducer, EMPTY_LAB);
  const [provisional, dispatchProvisional] = useReducer(provisionalReducer, NO_PROVISIONAL);
  const [packets, dispatchPackets] = useReducer(packetsReducer, NO_PACKETS);
  const [status, setStatus] = useState<LabStatus>('connecting');
  const [notice, setNotice] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const clientRef = useRef<LabClient | null>(null);
  const [client, setClient] = useState<LabClient | null>(null);
  const seqRef = useRef(0);
  const kernelBusy = useRef(false);
  const kernelDirty = useRef(false);
  const kernelWanted = useRef(false);
  const retry = useRef<{ timer?: ReturnType<typeof setTimeout>; schedule: RetrySchedule }>({ schedule: new RetrySchedule(LAB_RECONNECT) });
  const everOpen = useRef(false);
  // Between a click and the paint of its provisional row, the session's other updates wait (paint-gate.ts).
  const gate = useRef<PaintGate | null>(null);
  gate.current ??= new PaintGate(afterNextFrame);

  const refreshKernel = useCallback(async () => {
    const c = clientRef.current;
    if (!c || c.closed) return;
    if (kernelBusy.current) {
      kernelDirty.current = true;
      return;
    }
    kernelBusy.current = true;
    try {
      do {
        kernelDirty.current = false;
        const seq = seqRef.current;
        const r = await c.call('kernel', {});
        if (clientRef.current !== c) return;
        // Background news: held while a click's row waits for its frame, and rendered as a
        // transition, so a click that comes while it renders is drawn first.
        if (r.ok) gate.current!.run(() => startTransition(() => dispatch({ type: 'kernel', rows: r.result.rows, seq })));
        else if (r.error.code !== 'E_LIMIT') gate.current!.run(() => dispatch({ type: 'kernel-error', message: `${r.error.code}: ${r.error.message}` }));
        else kernelDirty.current = true;
        if (kernelDirty.current) await new Promise((res) => setTimeout(res, 60));
      } while (kernelDirty.current);
    } finally {
      kernelBusy.current = false;
    }
  }, []);

  const open = useCallback(() => {
    clearTimeout(retry.current.timer);
    setStatus((s) => (s === 'reconnecting' ? s : 'connecting'));
    // Dispatched inside the click's own event, so the provisional row renders before the next frame.
    const c: LabClient = new ProvisionalLabClient(openSocket(labUrl(watch)), {
      onCall: (call) => {
        if (clientRef.current !== c) return;
        dispatchProvisional({ type: 'call', call });
        gate.current!.hold();
      },
      onSettled: (id) => {
        gate.current!.run(() => {
          if (clientRef.current === c) dispatchProvisional({ type: 'answered', id });
        });
      },
    });
    clientRef.current = c;
    setClient(c);
    dispatch({ type: 'reset' });
    dispatchProvisional({ type: 'clear' });
    dispatchPackets({ type: 'reset' });
    seqRef.current = 0;
    c.on((event) => gate.current!.run(() => onEvent(event)));
    function onEvent(event: ClientEvent): void {
      if (clientRef.current !== c) return;
      if (event.event === 'closed') {
        clientRef.current = null;
        dispatchProvisional({ type: 'clear' });
        setClient(null);
        if (everOpen.current) {
          setNotice('The connection to the lab was lost (the server may have restarted). A fresh session starts with no sockets: everything you had open was closed.');
        }
        setStatus('reconnecting');
        retry.current.timer = setTimeout(open, retry.current.schedule.next());
        return;
      }
      if (event.event === 'bye') {
        setNotice(event.message);
        return;
      }
      if (event.event === 'hello') {
        everOpen.current = true;
        retry.current.schedule.reset();
        setStatus('open');
        setGeneration((g) => g + 1);
        dispatch({ type: 'event', event });
        dispatchPackets({ type: 'hello', hello: event });
        if (event.role === 'owner') void refreshKernel();
        return;
      }
      if (event.event === 'packet' || event.event === 'capture') {
        dispatchPackets({ type: 'event', event, newestSeq: seqRef.current });
        return;
      }
      if (event.event === 'step') seqRef.current = Math.max(seqRef.current, event.seq);
      dispatch({ type: 'event', event });
      // The real step takes the provisional row's place in the same render.
      if (event.event === 'step' && event.id !== null) dispatchProvisional({ type: 'answered', id: event.id });
      if (watch) return; // a viewer gets the owner's kernel view as 'kernel-table' events
      if (event.event === 'step') {
        seqRef.current = Math.max(seqRef.current, event.seq);
        if (event.status !== 'blocked') kernelWanted.current = true;
      } else if (event.event === 'kernel') kernelWanted.current = true;
    }
  }, [refreshKernel, watch]);

  // The step's row is painted first and the kernel view asked for after that frame, so a click is
  // never kept waiting for a second round trip and render. (Asked for before the row is drawn, the
  // frame would wait.)
  useLayoutEffect(() => {
    if (!kernelWanted.current) return;
    kernelWanted.current = false;
    afterNextPaint(refreshKernel);
  });

  useEffect(() => {
    open();
    return () => {
      clearTimeout(retry.current.timer);
      const c = clientRef.current;
      clientRef.current = null; // events from a client we let go of are ignored
      c?.close();
    };
  }, [open]);

  const reset = useCallback(() => {
    const c = clientRef.current;
    clientRef.current = null; // its close event will be ignored: this ending is on purpose
    c?.close();
    setNotice(null);
    open();
  }, [open]);

  const call = useCallback(<O extends Op>(op: O, args: ArgsOf<O>): Promise<CallResult<O>> => {
    const c = clientRef.current;
    if (!c) return Promise.resolve({ ok: false as const, error: { code: 'E_CANCELLED', message: 'Not connected to the lab.' } });
    return c.call(op, args);
  }, []);

  return { state, provisional, status, notice, dismissNotice: () => setNotice(null), client, call, reset, generation, packets };
}
