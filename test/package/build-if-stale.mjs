// Jest's globalSetup: the tests in test/package check the built package, so `npm test` builds it
// first when `dist/` is missing or older than `lib/` (a fresh clone, an edit). A build that is
// up to date costs one walk of lib/'s file times.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stamp = join(root, 'dist/cjs/package.json'); // the file the build writes last

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function buildIfStale() {
  const sources = Math.max(
    newestMtime(join(root, 'lib')),
    statSync(join(root, 'package.json')).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  console.log('\ndist/ is missing or older than lib/: running npm run build for test/package');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}
