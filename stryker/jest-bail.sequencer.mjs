// The order of the test files in a mutant's run (`npm run test:mutation`): the files that killed
// the latest mutants first, most recent first, then the others, quickest first.
//
// Why: jest's runner here stops at the first failing file (jest-bail.runner.mjs), so a killed
// mutant costs the files before its killer. Neighbouring mutants tend to fall to the same file;
// jest's own order (last run's failures, then slowest first) puts the slow property suites
// ahead of the quick example specs. The order changes what runs only after a failure.
import TestSequencer from '@jest/test-sequencer';

/** test file path -> the number of the run it last failed in (kept for the process's life) */
const lastFailure = new Map();
let runs = 0;

export default class BailSequencer extends TestSequencer {
  sort(tests) {
    const failedIn = (test) => lastFailure.get(test.path) ?? -1;
    const duration = (test) => this.time(test) ?? Number.MAX_SAFE_INTEGER;
    return [...tests].sort((a, b) => failedIn(b) - failedIn(a) || duration(a) - duration(b));
  }

  cacheResults(tests, results) {
    runs += 1;
    for (const result of results.testResults) {
      if (result.numFailingTests > 0 || result.testExecError)
        lastFailure.set(result.testFilePath, runs);
    }
    super.cacheResults(tests, results);
  }
}
