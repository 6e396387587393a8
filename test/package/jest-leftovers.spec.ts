import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { assertBuilt, PACKAGE_ROOT } from './built-package.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/jest-leftovers/', import.meta.url));

/** Runs Jest (ESM mode, as this repository does) on the fixtures, one worker, in name order. */
function runJest(): Promise<{ code: number | null; output: string }> {
  const config = {
    rootDir: FIXTURES,
    testMatch: ['**/*.test.mjs'],
    transform: {},
    testSequencer: '<rootDir>/by-name.sequencer.mjs',
  };
  const args = [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    '--config',
    JSON.stringify(config),
    '--runInBand',
    '--ci',
    '--coverage=false',
  ];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: PACKAGE_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : ((error as { code?: number }).code ?? 1),
          output: stdout + stderr,
        }),
    );
  });
}

/*
 * Jest 30 "soft-deletes" what a test file left on its global: the own properties of each such
 * value become accessors that warn, and whose setter calls itself. The process-wide state this
 * package keeps on `globalThis` (for the dual-package hazard) must survive that, or a test file
 * that forgets `app.close()` crashes a later file in the same worker when its cleanup timer
 * fires (RangeError: Maximum call stack size exceeded).
 */
describe('a test file that leaves an app running, under Jest 30', () => {
  beforeAll(assertBuilt);

  it('does not break the next test file in the worker, nor make Jest warn', async () => {
    const { code, output } = await runJest();
    expect(output).not.toContain('Maximum call stack size exceeded');
    expect(output).not.toContain('soft deleted');
    expect(output).toContain('Tests:       2 passed, 2 total');
    expect(code).toBe(0);
  }, 60_000);
});
