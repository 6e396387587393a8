// The jest test runner (the part of jest that runs test files) of `npm run test:mutation`: jest's
// own, which stops starting test files once a file of a mutant's run has a failing test.
//
// Invariant: it changes nothing unless Stryker's runner armed it for the current mutant run
// (jest-test-files.plugin.mjs), which it never does for the dry run (its coverage needs every
// test) nor when Stryker's `disableBail` is set. One failing test is all a killed mutant needs;
// jest's own `bail` cannot be used here (it ends the process Stryker runs jest in).
//
// Why: in native ESM mode each test file imports and evaluates its modules afresh (Nest, rxjs,
// fast-check, ...); most mutants are killed by the first file or two, so the files after it were
// most of a killed mutant's time.
import TestRunner from 'jest-runner';

import { BAIL } from './jest-bail.state.mjs';

export default class BailingTestRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const run = globalThis[BAIL];
    if (!run?.armed || !options.serial) return super.runTests(tests, watcher, options);
    const off = this.on('test-file-success', ([, result]) => {
      if (result.numFailingTests > 0 || result.testExecError !== undefined) run.failed = true;
    });
    try {
      // One file at a time, through jest's own in-band run: a file not started reports nothing,
      // so the results are those of the files that ran.
      for (const test of tests) {
        if (run.failed || watcher.isInterrupted()) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      off();
    }
  }
}
