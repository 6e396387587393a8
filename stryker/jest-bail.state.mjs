// Where the Stryker runner (jest-test-files.plugin.mjs) and jest's test runner
// (jest-bail.runner.mjs) share whether the current mutant run may stop at its first failing
// file: both run in the same process (jest runs in band, inside Stryker's test runner process),
// but jest may load its runner through another module instance, so the state lives on a global.
export const BAIL = Symbol.for('nestjs-fresh-cache.stryker-bail');

/** @returns {{ armed: boolean, failed: boolean }} the state of the current run */
export function bailState() {
  return (globalThis[BAIL] ??= { armed: false, failed: false });
}
