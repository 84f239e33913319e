/**
 * A test reporter for `npm test` (scripts/test.mjs): one JSON line per finished test or suite, so the
 * runner counts from the runner's own events rather than from the text another reporter prints.
 *
 * The lines are appended synchronously to the file named by SOCKETLAB_TEST_EVENTS: the runner ends a
 * file's process as soon as its tests are done (--test-force-exit), and a line still waiting in a
 * stream would be lost. Without that variable the lines go to the reporter's destination.
 */
import { appendFileSync } from 'node:fs';

const MAX_MESSAGE = 500;
const OUT = process.env.SOCKETLAB_TEST_EVENTS;

/** The first lines of why a test failed, short enough for a summary line. */
function why(error) {
  if (!error) return undefined;
  const inner = error.cause ?? error;
  const text = String(inner?.message ?? inner);
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

export default async function* events(source) {
  /** The names of the suites around the test that is running, by nesting level. */
  const path = [];
  for await (const event of source) {
    if (event.type === 'test:start') path[event.data.nesting] = event.data.name;
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, file, skip, todo, details } = event.data;
    const line = `${JSON.stringify({
      passed: event.type === 'test:pass',
      name,
      suites: path.slice(0, nesting),
      nesting,
      file,
      suite: details?.type === 'suite',
      skip: skip === undefined ? undefined : skip === true ? '' : String(skip),
      todo: todo === undefined ? undefined : todo === true ? '' : String(todo),
      failureType: details?.error?.failureType,
      message: why(details?.error),
    })}\n`;
    if (OUT) appendFileSync(OUT, line);
    else yield line;
  }
}
