/**
 * Files of the running release found from the code's own location: the
 * checkout when running from source (tsx), or `dist/` and the folder holding
 * it in a build. `findUp` walks the folders above a module, nearest first, so
 * a build finds its copied assets (`dist/templates`) before the checkout's.
 * Nothing here looks outside the folders that hold the code.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder at or above `moduleUrl`'s folder for which `test(dir)` holds; undefined if none. */
export function findUp(moduleUrl: string, test: (dir: string) => boolean): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (test(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The nearest `<ancestor>/<relative>` that exists above `moduleUrl`; undefined if none. */
export function findUpPath(moduleUrl: string, relative: string): string | undefined {
  const dir = findUp(moduleUrl, (d) => existsSync(join(d, relative)));
  return dir === undefined ? undefined : join(dir, relative);
}
