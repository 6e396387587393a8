import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CACHE_CLEANUP_JOB } from '../../lib/cache-manager.constants.js';
import { assertBuilt, inPackage, runNode } from './built-package.js';

interface CleanupAppResult {
  scheduleResolves: boolean;
  resolved: string;
  logs: { level: string; context?: string; message: string }[];
  intervals: string[];
}

const FIXTURE = fileURLToPath(new URL('./fixtures/cleanup-app.mjs', import.meta.url));

/** Packages the temporary app links from this repository's node_modules. */
const NEST = ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'];

/**
 * A temporary app whose node_modules holds a copy of the built package (package.json and dist,
 * as installed from the tarball) and links to `packages`, and nothing else: what it does not
 * link is not installed for it.
 */
function makeApp(packages: string[]): string {
  const app = mkdtempSync(join(tmpdir(), 'fresh-cache-app-'));
  const installed = join(app, 'node_modules/nestjs-fresh-cache');
  mkdirSync(installed, { recursive: true });
  cpSync(inPackage('package.json'), join(installed, 'package.json'));
  cpSync(inPackage('dist'), join(installed, 'dist'), { recursive: true });
  for (const name of packages) {
    mkdirSync(join(app, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(inPackage(join('node_modules', name)), join(app, 'node_modules', name), 'dir');
  }
  cpSync(FIXTURE, join(app, 'app.mjs'));
  return app;
}

const apps: string[] = [];
afterAll(() => {
  for (const app of apps) rmSync(app, { recursive: true, force: true });
});

describe.each(['import', 'require'] as const)('the built package through %s', (condition) => {
  const entry = condition === 'import' ? 'dist/index.js' : 'dist/cjs/index.js';
  beforeAll(assertBuilt);

  it('boots without @nestjs/schedule installed and runs the cleanup on its own timer', async () => {
    const app = makeApp(NEST);
    apps.push(app);
    const result = await runNode<CleanupAppResult>(app, 'app.mjs', [condition]);
    expect(result.scheduleResolves).toBe(false);
    const installed = join(app, 'node_modules/nestjs-fresh-cache', entry);
    expect(result.resolved).toBe(
      condition === 'import' ? pathToFileURL(installed).href : installed,
    );
    expect(result.logs).toContainEqual({
      level: 'log',
      context: 'CacheManager',
      message: expect.stringContaining('on an internal timer; import ScheduleModule.forRoot()'),
    });
    expect(result.logs.filter(({ level }) => level !== 'log')).toEqual([]);
  }, 60_000);

  it(`registers '${CACHE_CLEANUP_JOB}' when the app imports ScheduleModule`, async () => {
    const app = makeApp([...NEST, '@nestjs/schedule']);
    apps.push(app);
    const result = await runNode<CleanupAppResult>(app, 'app.mjs', [condition, 'schedule']);
    expect(result.scheduleResolves).toBe(true);
    expect(result.intervals).toEqual([CACHE_CLEANUP_JOB]);
    expect(result.logs.filter(({ message }) => message.includes('internal timer'))).toEqual([]);
    expect(result.logs.filter(({ level }) => level !== 'log')).toEqual([]);
  }, 60_000);
});
