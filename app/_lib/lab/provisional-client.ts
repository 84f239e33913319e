/**
 * The lab client that tells the page about each call the moment it is made, and again when its
 * reply arrives, so the timeline can draw a provisional row in the frame of the click (see
 * provisional.ts). Every caller (a socket card, a scenario's Next, a replay, the chat) goes through
 * it, so none of them has to remember to.
 */
import { LabClient, type CallResult, type SocketLike } from '@/server/protocol/client';
import type { ArgsOf, CommandId, Op } from '@/server/protocol';
import { showsProvisional, type ProvisionalCall } from './provisional';

export interface ProvisionalHooks {
  /** Called synchronously inside call(), before the command is sent. */
  onCall(call: ProvisionalCall): void;
  /** The reply arrived (or the connection closed): the call is over, with or without a step. */
  onSettled(id: CommandId): void;
}

let nextId = 1;

export class ProvisionalLabClient extends LabClient {
  constructor(
    ws: SocketLike,
    private readonly hooks: ProvisionalHooks,
  ) {
    super(ws);
  }

  // Ids are chosen here, not by LabClient's own counter, because the row needs the id before the
  // command is sent; they are unique across sessions, so a late reply to an old one matches nothing.
  override call<O extends Op>(op: O, args: ArgsOf<O>, id: CommandId = `ui${nextId++}`): Promise<CallResult<O>> {
    if (!showsProvisional(op) || this.closed) return super.call(op, args, id);
    this.hooks.onCall({ id, op, args });
    const reply = super.call(op, args, id);
    void reply.then(() => this.hooks.onSettled(id));
    return reply;
  }
}
