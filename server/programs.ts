/**
 * The programs a lab session can run (`run`), one for each name the protocol lists. The lab names
 * none of them (server/lab/program.ts is its seam); a new program is its own folder, its name in
 * server/protocol/index.ts, and one line here.
 */
import { chatProgram } from './chat/chat-program.ts';
import { httpProgram } from './http/http-program.ts';
import type { ProgramRegistry } from './lab/program.ts';

export function labPrograms(limits: { chatMaxClients: number }): ProgramRegistry {
  return { chat: chatProgram(limits.chatMaxClients), http: httpProgram() };
}
