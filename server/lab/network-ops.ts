/**
 * The sandbox network's ops (issue 16): `network`, `firewall`, `forward` and `ping`. Each works on
 * the session's one network (OpContext.network(): E_NO_NETWORK without one) and hands the validated
 * args to the sandbox, which checks their meaning again and builds every rule from the structure.
 */
import type { ArgsOf, Op, ResultOf } from '../protocol/index.ts';
import { LabFailure } from '../protocol/errors.ts';
import type { CallInfo, OpContext } from './op-context.ts';
import { sandboxCall } from './sandbox-call.ts';

/** ops.ts's OpHandler, restated so the two files do not import each other. */
type OpHandler<O extends Op> = (session: OpContext, args: ArgsOf<O>, call: CallInfo) => Promise<ResultOf<O>>;

export const network: OpHandler<'network'> = async (session, args) => {
  switch (args.action) {
    case 'create':
      return { network: (await session.createNetwork(args)).created };
    case 'show': {
      const net = session.network();
      return { network: await sandboxCall(() => net.show()) };
    }
    case 'destroy':
      await session.destroyNetwork();
      return { network: null };
    case 'shell': {
      const net = session.network();
      return { network: null, shell: await sandboxCall(() => net.shell(args.host)) };
    }
    default:
      throw new LabFailure('E_BAD_REQUEST', 'network takes the action create, show, destroy or shell.');
  }
};

export const firewall: OpHandler<'firewall'> = async (session, args) => {
  const net = session.network();
  const { host, ...command } = args;
  return sandboxCall(() => net.firewall(host, command));
};

export const forward: OpHandler<'forward'> = async (session, args) => {
  const net = session.network();
  return sandboxCall(() => net.forward(args));
};

/** Real ICMP echo from a host: blocked while it runs, each echo an `echo` event, then every echo in the result. */
export const ping: OpHandler<'ping'> = async (session, args, { onBlocked, onEcho }) => {
  const net = session.network();
  onBlocked();
  const options = args.count === undefined ? {} : { count: args.count };
  return sandboxCall(() => net.ping(args.host, args.address, options, (echo) => onEcho?.(args.host, args.address, echo)));
};
