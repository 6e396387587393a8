// StrykerJS on the core and the decorators: `npm run test:mutation` (long; not part of
// `npm test`). Scope a run with `-m`, e.g. `npm run test:mutation -- -m lib/core/cache-loader.ts`.
// The score per file and the equivalent mutants are in docs/mutation-testing.md.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

const { jest: jestConfig } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url)));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The jest runner, loading for each mutant only the test files that reached it in the dry
  // run (see stryker/jest-test-files.plugin.mjs): the same tests run, without importing the rest.
  testRunner: 'jest-test-files',
  plugins: ['@stryker-mutator/jest-runner', './stryker/jest-test-files.plugin.mjs'],
  // jest runs the ESM build of Nest 12 only in native ESM mode (see the `test` script).
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  jest: {
    projectType: 'custom',
    config: {
      ...jestConfig,
      // Not the built package's tests (they read dist/, which mutants never reach), nor the
      // Redis tier's (lib/redis is not mutated here, and they start a redis-server each), nor
      // the fixture apps. Everything else runs: the model-based, hostile and concurrency suites
      // are what kill most mutants.
      testPathIgnorePatterns: [
        ...jestConfig.testPathIgnorePatterns,
        '<rootDir>/test/package/',
        '<rootDir>/test/redis/',
        '<rootDir>/test/sample/',
      ],
      // jest's test file runner, starting no more files once one has failed a mutant's run.
      runner: '<rootDir>/stryker/jest-bail.runner.mjs',
      // ... in an order that puts the likely killer first.
      testSequencer: '<rootDir>/stryker/jest-bail.sequencer.mjs',
      globalSetup: undefined,
      collectCoverage: false,
      coverageThreshold: undefined,
    },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  // Not the message factories (the tests assert with the same factories, so a changed wording
  // is an equivalent mutant by construction), interfaces (no code) or the entry points.
  mutate: [
    'lib/core/**/*.ts',
    'lib/cached/**/*.ts',
    '!lib/**/*.interface.ts',
    '!lib/**/*.messages.ts',
    '!lib/**/index.ts',
  ],
  ignorePatterns: ['dist', 'dist-sample', 'coverage', 'bench/results', 'reports', '.snippets'],
  concurrency: 1,
  // A mutant that makes a loop or a wait endless is a timeout (killed); no need to wait long.
  timeoutMS: 5000,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
