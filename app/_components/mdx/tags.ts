/**
 * The tags a lesson may use. Kept apart from the registry (index.ts) so the build-time content check
 * can read the list without loading the components; index.ts must provide exactly these.
 */
export const LESSON_TAGS: string[] = [
  // skeleton and prose
  'Callout',
  'Diagram',
  'Quiz',
  'Recap',
  'TryIt',
  // interactive widgets that need no lab engine
  'ByteView',
  'FirewallEvaluator',
  'IpExplorer',
  'Program',
  'NatTable',
  // live lab (real sockets through /lab)
  'Challenge',
  'ChatLab',
  'NetworkLab',
  'SocketLab',
];
