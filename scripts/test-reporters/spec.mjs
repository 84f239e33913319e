/**
 * Node's spec reporter without its closing totals: `npm test` runs one file per process and prints
 * one summary for the whole run (scripts/test.mjs), so thirty "ℹ tests 12" blocks would only be noise.
 * A test's own diagnostics (`t.diagnostic(...)`) still show.
 */
import { Transform } from 'node:stream';
import { spec as Spec } from 'node:test/reporters';

const TOTALS = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+$/;

export default class SpecWithoutTotals extends Transform {
  #spec = new Spec();

  constructor() {
    super({ writableObjectMode: true });
    this.#spec.on('data', (chunk) => this.push(chunk));
  }

  _transform(event, _encoding, done) {
    const totals = event.type === 'test:diagnostic' && event.data.nesting === 0 && TOTALS.test(event.data.message);
    if (totals) done();
    else this.#spec.write(event, done);
  }

  _flush(done) {
    this.#spec.once('end', () => done());
    this.#spec.end();
    this.#spec.resume();
  }
}
