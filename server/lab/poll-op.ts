/**
 * The `poll` op (issue 19): a real poll(2) over several of the session's sockets, so a learner can
 * build a one-thread server for several clients: poll, accept the new one, recv from the ready one.
 *
 * poll(2) ignores O_NONBLOCK, so the lab's blocking flag does not apply: the timeout alone decides
 * (0 only looks, -1 waits until a socket is ready). A waiting poll is a blocked step like a waiting
 * accept, and closing any polled socket (or the session ending) cancels it with E_CANCELLED.
 */
import type { PollTarget } from '../engines/types.ts';
import type { ArgsOf, Op, PollRevent, ResultOf } from '../protocol/index.ts';
import { LabFailure } from '../protocol/errors.ts';
import type { CallInfo, OpContext } from './op-context.ts';

/** ops.ts's OpHandler, restated so the two files do not import each other. */
type OpHandler<O extends Op> = (session: OpContext, args: ArgsOf<O>, call: CallInfo) => Promise<ResultOf<O>>;

export const poll: OpHandler<'poll'> = async (session, args, { onBlocked }) => {
  const entries = args.socks.map(({ sock }) => session.sockets.entry(sock));
  const poller = entries[0]?.sock.poller;
  const outsider = entries.find((e) => !e.sock.poller || e.sock.poller !== poller);
  if (!poller || outsider) {
    throw new LabFailure(
      'E_UNSUPPORTED',
      `poll needs the native engine: ${(outsider ?? entries[0])?.handle} is a socket of the fallback engine, which cannot make ` +
        "a real poll(2) (Node's sockets do not expose their kernel readiness).",
    );
  }
  const targets: PollTarget[] = entries.map((entry, i) => ({ socket: entry.sock, events: args.socks[i]!.events }));
  const { signal, done } = session.sockets.beginPoll(entries);
  let revents: PollRevent[][];
  try {
    const recheck = (again: () => void) => {
      session.sockets.pollRechecks.add(again);
      return () => session.sockets.pollRechecks.delete(again);
    };
    revents = await poller.poll(targets, args.timeout, { signal, onBlocked, recheck });
  } finally {
    done();
  }
  const socks = entries.map((entry, i) => ({ sock: entry.handle, revents: revents[i] ?? [] }));
  return { ready: socks.filter((s) => s.revents.length > 0).length, socks };
};
