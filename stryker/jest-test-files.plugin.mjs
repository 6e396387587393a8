// A StrykerJS test runner for `npm run test:mutation`: the jest runner, made to load only the
// test files that reached a mutant in the dry run.
//
// Invariant: for each mutant, every test that could see it still runs. A test file is loaded
// when one of its tests covered the mutant (Stryker then runs those tests, by name, as the jest
// runner does), or when the file reached the mutant outside any test (module load, `beforeAll`,
// work left running between tests: a "static" mutant, for which every test of the file runs).
// A file whose run never executed the mutant's code cannot behave differently with it: the same
// reasoning `coverageAnalysis: 'perTest'` already relies on. Without coverage data (a mutant the
// dry run did not see, or coverage analysis off) jest loads every file, as before.
//
// Why: the jest runner (9.6) narrows a mutant's run by test name only, so jest still imports and
// evaluates every test file (and Nest, rxjs, ... once per file, in native ESM mode) to find the
// tests whose names match; and a static mutant (most of lib/core: the suites build caches
// outside tests and leave timers running) runs every test of every file. That was the ~30 s.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

import { bailState } from './jest-bail.state.mjs';

// The jest runner's state shared with its jest environment (one module per process). Its
// package exports the environment mixin only; the state module sits next to it.
const require = createRequire(import.meta.url);
const { state } = require(
  path.join(path.dirname(require.resolve('@stryker-mutator/jest-runner')), 'messaging.cjs'),
);

// The dry run happens in the first test runner process only; a runner restarted after a
// timeout reads the map from here (the sandbox, which Stryker removes after the run).
const mapFile = () => path.join(process.cwd(), '.stryker-test-files.json');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const jestFactory = jestPlugins.find((plugin) => plugin.name === 'jest').factory;

/**
 * Records, while jest runs the files one after the other (`runInBand`), which mutants each file
 * reached outside its tests: the jest environment adds a file's path to this set when it is
 * created for that file, so the static hits since the previous add belong to the previous file.
 */
class StaticHitsByFile extends Set {
  /** @type {Map<string, Set<string>>} */
  byFile = new Map();
  #file;
  /** @type {Record<string, number>} */
  #seen = {};

  add(file) {
    this.settle();
    this.#file = file;
    return super.add(file);
  }

  /** Credits the static hits since the last call to the file running then. */
  settle() {
    const hits = state.instrumenterContext.mutantCoverage?.static ?? {};
    if (this.#file !== undefined) {
      for (const [id, count] of Object.entries(hits)) {
        if (count === (this.#seen[id] ?? 0)) continue;
        const ids = this.byFile.get(this.#file) ?? new Set();
        ids.add(id);
        this.byFile.set(this.#file, ids);
      }
    }
    this.#seen = { ...hits };
  }
}

function jestTestFilesRunnerFactory(injector) {
  const runner = jestFactory(injector);
  /** @type {Map<string, string[]> | undefined} mutant id -> the test files that reached it */
  let filesByMutant;
  /** @type {string[] | undefined} the test path patterns of the mutant being run */
  let testFiles;

  const dryRun = runner.dryRun.bind(runner);
  runner.dryRun = async (options) => {
    const original = state.testFilesWithStrykerEnvironment;
    const recorder = new StaticHitsByFile();
    state.testFilesWithStrykerEnvironment = recorder;
    let result;
    try {
      result = await dryRun(options);
      recorder.settle();
    } finally {
      state.testFilesWithStrykerEnvironment = original;
      for (const file of recorder) original.add(file);
    }
    if (result.status === 'complete' && result.mutantCoverage !== undefined) {
      const filesOfTest = new Map();
      for (const test of result.tests) {
        const files = filesOfTest.get(test.id) ?? new Set();
        files.add(test.fileName);
        filesOfTest.set(test.id, files);
      }
      const files = new Map();
      const credit = (id, file) => files.set(id, (files.get(id) ?? new Set()).add(file));
      for (const [testId, hits] of Object.entries(result.mutantCoverage.perTest)) {
        for (const file of filesOfTest.get(testId) ?? []) {
          for (const id of Object.keys(hits)) credit(id, file);
        }
      }
      for (const [file, ids] of recorder.byFile) for (const id of ids) credit(id, file);
      filesByMutant = new Map([...files].map(([id, set]) => [id, [...set]]));
      writeFileSync(mapFile(), JSON.stringify([...filesByMutant]));
    }
    return result;
  };

  const filesFor = (mutantId) => {
    if (filesByMutant === undefined && existsSync(mapFile())) {
      filesByMutant = new Map(JSON.parse(readFileSync(mapFile(), 'utf8')));
    }
    const files = filesByMutant?.get(String(mutantId));
    return files?.map((file) => `^${escapeRegExp(file)}$`);
  };

  const mutantRun = runner.mutantRun.bind(runner);
  runner.mutantRun = async (options) => {
    testFiles = filesFor(options.activeMutant.id);
    const bail = bailState();
    bail.armed = !options.disableBail;
    bail.failed = false;
    try {
      return await mutantRun(options);
    } finally {
      testFiles = undefined;
      bail.armed = false;
    }
  };

  // `run` is the jest runner's one call into jest; `testFiles` replaces the files jest would
  // otherwise collect (see the runner's JestTestAdapter).
  const run = runner.run.bind(runner);
  runner.run = (settings) => run(testFiles === undefined ? settings : { ...settings, testFiles });

  return runner;
}
jestTestFilesRunnerFactory.inject = jestFactory.inject;

export const strykerPlugins = [
  { kind: 'TestRunner', name: 'jest-test-files', factory: jestTestFilesRunnerFactory },
];
