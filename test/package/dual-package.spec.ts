import { beforeAll, describe, expect, it } from '@jest/globals';
import { pathToFileURL } from 'node:url';

import { assertBuilt, inPackage, runFixture } from './built-package.js';

interface DualPackageResult {
  resolved: { import: string; require: string };
  distinctCopies: boolean;
  globalCacheShared: boolean;
  cleanupShared: boolean;
  cachedAcrossCopies: boolean;
  appCacheIsGlobalForBoth: boolean;
}

beforeAll(assertBuilt);

/*
 * The dual-package hazard: a process that loads the ESM copy (through `import`) and the
 * CommonJS copy (through `require`) holds two module instances of every file. Process-wide
 * state is keyed by `Symbol.for` on `globalThis`, so it is still one state.
 */
describe('one process loading the ESM and the CommonJS build', () => {
  let result: DualPackageResult;
  beforeAll(async () => {
    result = await runFixture<DualPackageResult>('dual-package.mjs');
  }, 60_000);

  it('gets the ESM build from import and the CommonJS build from require', () => {
    expect(result.resolved).toEqual({
      import: pathToFileURL(inPackage('dist/index.js')).href,
      require: inPackage('dist/cjs/index.js'),
    });
    expect(result.distinctCopies).toBe(true);
  });

  it('has one global cache: created by one copy, seen and cleaned up by the other', () => {
    expect(result.globalCacheShared).toBe(true);
    expect(result.cleanupShared).toBe(true);
  });

  it("caches a method decorated by one copy's @Cached in an app of the other copy's module", () => {
    expect(result.cachedAcrossCopies).toBe(true);
    expect(result.appCacheIsGlobalForBoth).toBe(true);
  });
});
