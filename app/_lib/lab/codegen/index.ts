import type { Step } from '@/server/protocol';
import { cProgram } from './c';
import { programName, programsFromSteps, type Language } from './common';
import { nodeProgram } from './node';
import { pythonProgram } from './python';

export type { Language };

export interface GeneratedProgram {
  actor: string;
  language: Language;
  fileName: string;
  source: string;
}

const EXT: Record<Language, string> = { python: 'py', c: 'c', node: 'ts' };
const GENERATORS = { python: pythonProgram, c: cProgram, node: nodeProgram };

/** Every actor's program in one language, from the steps of a session so far. */
export function generatePrograms(steps: Step[], language: Language): GeneratedProgram[] {
  return programsFromSteps(steps).map((p) => ({
    actor: p.actor,
    language,
    fileName: `${programName(p.actor)}.${EXT[language]}`,
    source: GENERATORS[language](p),
  }));
}
