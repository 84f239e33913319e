/**
 * What the page's main thread did between each click and the end of the frame that painted its
 * step, from a Chromium trace (bench/lab-ui.ts --trace). The page marks each window with User
 * Timing marks (`lab-click` … `lab-painted`); this sums, over all windows, the main thread's self
 * time per trace event name, and the time it was idle (no task running: the wait for the frame).
 */

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

export interface FrameBreakdown {
  windows: number;
  /** Per window, on average, in ms. */
  lengthMs: number;
  idleMs: number;
  busyMs: number;
  /** Self time per event name, in ms per window, largest first. */
  byName: [string, number][];
}

/** Reads the trace Playwright's browser.stopTracing() returned. */
export function clickWindows(trace: Buffer): WindowBreakdown[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  // The renderer's main thread: the one that recorded the page's marks.
  const mark = events.find((e) => e.name === 'lab-click');
  if (!mark) throw new Error('no lab-click marks in the trace');
  const onMain = (e: TraceEvent) => e.pid === mark.pid && e.tid === mark.tid;
  const clicks = events.filter((e) => onMain(e) && e.name === 'lab-click').map((e) => e.ts).sort((a, b) => a - b);
  const painted = events.filter((e) => onMain(e) && e.name === 'lab-painted').map((e) => e.ts).sort((a, b) => a - b);
  const windows: [number, number][] = [];
  for (const start of clicks) {
    const end = painted.find((t) => t >= start);
    if (end !== undefined) windows.push([start, end]);
  }

  // Complete events on the main thread, nested by time: self time = own duration minus children's.
  const spans = events.filter((e) => onMain(e) && e.ph === 'X' && e.dur !== undefined && e.dur > 0).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  return windows.map((w) => windowBreakdown(spans, w));
}

export interface WindowBreakdown {
  lengthMs: number;
  busyMs: number;
  /** Self time per event name, in ms. */
  self: Map<string, number>;
}

function windowBreakdown(spans: TraceEvent[], w: [number, number]): WindowBreakdown {
  const self = new Map<string, number>();
  let busy = 0;
  const overlap = (a0: number, a1: number) => Math.max(0, Math.min(a1, w[1]) - Math.max(a0, w[0]));
  const stack: TraceEvent[] = [];
  for (const e of spans) {
    const end = e.ts + e.dur!;
    if (end <= w[0] || e.ts >= w[1]) continue;
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur! <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    const mine = overlap(e.ts, end) / 1000;
    // Top-level tasks (those with no parent) make up the busy time.
    if (!parent) busy += mine;
    else self.set(label(parent), (self.get(label(parent)) ?? 0) - mine);
    self.set(label(e), (self.get(label(e)) ?? 0) + mine);
    stack.push(e);
  }
  return { lengthMs: (w[1] - w[0]) / 1000, busyMs: busy, self };
}

/** The average over some windows: busy, idle, and self time per event name, largest first. */
export function averageOf(ws: WindowBreakdown[]): FrameBreakdown {
  const n = Math.max(ws.length, 1);
  const self = new Map<string, number>();
  for (const w of ws) for (const [k, v] of w.self) self.set(k, (self.get(k) ?? 0) + v);
  const busy = ws.reduce((a, w) => a + w.busyMs, 0) / n;
  const length = ws.reduce((a, w) => a + w.lengthMs, 0) / n;
  const byName = [...self.entries()].map(([k, v]) => [k, v / n] as [string, number]).filter(([, v]) => v >= 0.01).sort((a, b) => b[1] - a[1]);
  return { windows: ws.length, lengthMs: length, busyMs: busy, idleMs: length - busy, byName };
}

/** A function call's event carries the script's name: that says whose code it was. */
function label(e: TraceEvent): string {
  const data = e.args?.data;
  if (e.name === 'FunctionCall' && data && typeof data.functionName === 'string' && data.functionName) return `FunctionCall ${data.functionName}`;
  if (e.name === 'EventDispatch' && data && typeof data.type === 'string') return `EventDispatch ${data.type}`;
  return e.name;
}

export function formatBreakdown(what: string, b: FrameBreakdown, top = 12): string {
  const lines = [`  trace, ${what} (${b.windows} windows), per window on average: ${b.lengthMs.toFixed(2)} ms, main thread busy ${b.busyMs.toFixed(2)} ms, idle (waiting for the frame) ${b.idleMs.toFixed(2)} ms`];
  lines.push('  main-thread self time per window, by trace event:');
  for (const [name, ms] of b.byName.slice(0, top)) lines.push(`    ${ms.toFixed(2).padStart(6)} ms  ${name}`);
  return lines.join('\n');
}
