import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

import * as core from '../../lib/core/index.js';
import * as root from '../../lib/index.js';
import { assertBuilt, inPackage, packageExports, runNode, PACKAGE_ROOT } from './built-package.js';

/** What `nestjs-fresh-cache/core` may import besides its own files: Node and, lazily, ioredis. */
function isAllowedOutsideImport(specifier: string): boolean {
  return (
    specifier.startsWith('node:') || builtinModules.includes(specifier) || specifier === 'ioredis'
  );
}

/**
 * Every file reachable from `entry` through static imports, re-exports, `require()` and
 * `import()` (as TypeScript's own scanner finds them, comments and strings aside), and every
 * specifier that leaves the package.
 */
function importGraph(entry: string): { files: Set<string>; outside: Set<string> } {
  const files = new Set<string>();
  const outside = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) {
        outside.add(specifier);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      pending.push(file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target);
    }
  }
  return { files, outside };
}

describe('nestjs-fresh-cache/core as built', () => {
  beforeAll(assertBuilt);
  const core = packageExports()['./core']!;

  it.each([
    ['import', 'code', core.import.default],
    ['import', 'types', core.import.types],
    ['require', 'code', core.require.default],
    ['require', 'types', core.require.types],
  ])('imports nothing from Nest, rxjs or reflect-metadata (%s condition, %s)', (_c, _k, entry) => {
    const { files, outside } = importGraph(inPackage(entry));
    // The walk must have reached the cache itself, or this test proves nothing.
    expect([...files].some((file) => /core[/\\]cache-manager\.(js|d\.ts)$/.test(file))).toBe(true);
    expect([...outside].filter((specifier) => !isAllowedOutsideImport(specifier))).toEqual([]);
  });

  it('loads no Nest, rxjs or reflect-metadata module when required in a fresh process', async () => {
    const loaded = await runNode<string[]>(PACKAGE_ROOT, '-e', [
      "require('nestjs-fresh-cache/core'); console.log(JSON.stringify(Object.keys(require.cache)))",
    ]);
    expect(loaded).toContain(inPackage('dist/cjs/core/index.js'));
    expect(loaded.filter((path) => /node_modules[/\\]/.test(path))).toEqual([]);
  }, 60_000);
});

describe('the root entry point', () => {
  it('exports everything nestjs-fresh-cache/core exports, the same values', () => {
    for (const [name, value] of Object.entries(core)) {
      expect([name, (root as Record<string, unknown>)[name]]).toEqual([name, value]);
    }
    expect(Object.keys(core).length).toBeGreaterThan(5);
  });
});
