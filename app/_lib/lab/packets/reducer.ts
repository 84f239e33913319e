/** The packet state's reducer, fed by the lab session's events (use-lab-session.ts). */
import type { CaptureEvent, Hello, PacketEvent } from '@/server/protocol';
import { applyCapture, applyPacket, NO_PACKETS, type PacketsState } from './store';

export type PacketsAction =
  | { type: 'reset' }
  | { type: 'hello'; hello: Hello }
  | { type: 'event'; event: PacketEvent | CaptureEvent; newestSeq: number };

export function packetsReducer(state: PacketsState, action: PacketsAction): PacketsState {
  switch (action.type) {
    case 'reset':
      return NO_PACKETS;
    case 'hello':
      return action.hello.capture ? applyCapture(NO_PACKETS, action.hello.capture) : NO_PACKETS;
    case 'event':
      return action.event.event === 'packet' ? applyPacket(state, action.event, action.newestSeq) : applyCapture(state, action.event);
  }
}
