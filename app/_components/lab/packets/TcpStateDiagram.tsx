'use client';
import { useId } from 'react';
import { MACHINE_STATES, pathSentences, STATE_WORDS, TRANSITIONS, type MachineState, type PathStep } from '@/app/_lib/lab/packets/tcp-machine';

/** Where each state sits: column and row of RFC 9293's figure, roughly. */
const AT: Record<MachineState, [number, number]> = {
  CLOSED: [1, 0],
  LISTEN: [1, 1],
  SYN_RECEIVED: [0, 2],
  SYN_SENT: [2, 2],
  ESTABLISHED: [1, 3],
  FIN_WAIT_1: [0, 4],
  CLOSE_WAIT: [2, 4],
  FIN_WAIT_2: [0, 5],
  CLOSING: [1, 5],
  LAST_ACK: [2, 5],
  TIME_WAIT: [0, 6],
  CLOSED_END: [2, 6],
};
const W = 112;
const H = 26;
const COL = 150;
const ROW = 52;
const center = (s: MachineState) => ({ x: 10 + AT[s][0] * COL + W / 2, y: 8 + AT[s][1] * ROW + H / 2 });
const name = (s: MachineState) => (s === 'CLOSED_END' ? 'CLOSED' : s.replace(/_/g, '-').replace('FIN-WAIT-', 'FIN-WAIT-'));

interface Props {
  sock: string;
  path: readonly PathStep[];
}

/**
 * RFC 9293's TCP state machine with the path one socket took lit, step by step. The drawing is
 * decoration for sighted readers; the ordered list under it says the same in words.
 */
export function TcpStateDiagram({ sock, path }: Props) {
  const id = useId().replace(/:/g, '');
  const visited = new Set<MachineState>(path.length ? [path[0].from, ...path.map((p) => p.to)] : ['CLOSED']);
  const taken = new Map(path.map((p, i) => [`${p.from}>${p.to}`, i + 1]));
  const current = path.length ? path[path.length - 1].to : 'CLOSED';
  return (
    <figure className="m-0 min-w-0" data-testid="tcp-state-diagram" data-sock={sock} data-state={current}>
      <figcaption id={`${id}-c`} className="text-xs font-bold">
        {sock}: the TCP state machine (RFC 9293), the path this socket took lit
      </figcaption>
      <div className="overflow-x-auto">
        <svg viewBox={`0 0 ${20 + 2 * COL + W} ${16 + 6 * ROW + H}`} className="h-auto w-full max-w-md" role="img" aria-labelledby={`${id}-c`} aria-describedby={`${id}-t`}>
          <defs>
            <marker id={`${id}-a`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="fill-gray-400" />
            </marker>
            <marker id={`${id}-b`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="fill-blue-600 dark:fill-blue-400" />
            </marker>
          </defs>
          {TRANSITIONS.map((t) => {
            const a = center(t.from);
            const b = center(t.to);
            // Stop at the boxes' edges, so the arrowheads show.
            const dx = b.x - a.x;
            const dy = b.y - a.y;
            const len = Math.hypot(dx, dy) || 1;
            const cut = Math.min(Math.abs((W / 2) * (len / (dx || 1e-9))), Math.abs((H / 2) * (len / (dy || 1e-9))));
            const k = Math.min(cut, len / 2 - 2) / len;
            const on = taken.has(`${t.from}>${t.to}`);
            return (
              <line
                key={`${t.from}>${t.to}`}
                x1={a.x + dx * k}
                y1={a.y + dy * k}
                x2={b.x - dx * k}
                y2={b.y - dy * k}
                className={on ? 'stroke-blue-600 dark:stroke-blue-400' : 'stroke-gray-300 dark:stroke-gray-600'}
                strokeWidth={on ? 2.5 : 1}
                markerEnd={`url(#${id}-${on ? 'b' : 'a'})`}
                data-edge={`${t.from}>${t.to}`}
                data-taken={on ? 'true' : undefined}
              />
            );
          })}
          {MACHINE_STATES.map((s) => {
            const [c, r] = AT[s];
            const on = visited.has(s);
            return (
              <g key={s} data-node={s} data-visited={on ? 'true' : undefined}>
                <rect
                  x={10 + c * COL}
                  y={8 + r * ROW}
                  width={W}
                  height={H}
                  rx={6}
                  className={s === current ? 'fill-blue-600 stroke-blue-800 dark:fill-blue-500' : on ? 'fill-blue-100 stroke-blue-600 dark:fill-blue-950 dark:stroke-blue-400' : 'fill-white stroke-gray-400 dark:fill-gray-900 dark:stroke-gray-600'}
                />
                <text x={10 + c * COL + W / 2} y={8 + r * ROW + H / 2 + 4} textAnchor="middle" className={`text-[11px] font-semibold ${s === current ? 'fill-white' : 'fill-gray-900 dark:fill-gray-100'}`}>
                  {name(s)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <div id={`${id}-t`}>
        <p className="m-0 text-xs">
          Now: {STATE_WORDS[current]}.
        </p>
        {path.length ? (
          <ol className="m-0 pl-5 text-xs" data-testid="tcp-path">
            {pathSentences(path).map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        ) : (
          <p className="m-0 text-xs">No moves yet: a TCP socket starts CLOSED until listen() or connect().</p>
        )}
      </div>
    </figure>
  );
}
