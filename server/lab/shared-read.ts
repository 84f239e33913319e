import type { KernelReader } from '../kernel/index.ts';

/**
 * One kernel-table read shared by everyone who asks while another read is running. Reading and
 * parsing /proc/net/* costs time in proportion to every socket on the machine (thousands of
 * TIME_WAIT rows on a busy one), and each session may ask many times a second; without sharing,
 * a few sessions asking at once (or one flooding) multiply that cost. A caller never gets a read
 * that started before it asked, so a step's "kernel after" view is never older than the step.
 */
export function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  /** The read in progress, if any. */
  let current: Promise<T> | null = null;
  /** The read that will start when `current` ends, shared by everyone who asked meanwhile. */
  let queued: Promise<T> | null = null;

  const start = (): Promise<T> => {
    const p: Promise<T> = read().finally(() => {
      if (current === p) current = null;
    });
    current = p;
    return p;
  };

  return () => {
    if (!current) return start();
    queued ??= current.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      queued = null;
      return start();
    });
    return queued;
  };
}

/**
 * A /proc/net reader whose reads are shared: its answer does not depend on the query (it is the
 * whole machine's table), so everyone asking while a read runs can share the next one.
 */
export function sharedProcRead(reader: KernelReader): KernelReader['read'] {
  const read = sharedRead(() => reader.read({ sockets: [], closed: [] }));
  return () => read();
}
