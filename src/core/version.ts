/**
 * The running release's version and public home, read once from the nearest
 * package.json named "wattgate" above this file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findUp } from '../db/release-files.js';

interface ReleasePackage {
  name?: unknown;
  version?: unknown;
  homepage?: unknown;
  repository?: unknown;
}

function releasePackage(dir: string): ReleasePackage | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as ReleasePackage;
    return pkg.name === 'wattgate' && typeof pkg.version === 'string' ? pkg : undefined;
  } catch {
    return undefined;
  }
}

function readPackage(): ReleasePackage | undefined {
  const dir = findUp(import.meta.url, (d) => releasePackage(d) !== undefined);
  return dir === undefined ? undefined : releasePackage(dir);
}

/** `homepage`, else the `repository` URL (string or `{ url }`, without `git+` and `.git`); '' when neither. */
export function projectUrl(pkg: Pick<ReleasePackage, 'homepage' | 'repository'>): string {
  if (typeof pkg.homepage === 'string' && pkg.homepage.trim() !== '') return pkg.homepage.trim();
  const repo = pkg.repository;
  const url =
    typeof repo === 'string'
      ? repo
      : typeof repo === 'object' && repo !== null && typeof (repo as { url?: unknown }).url === 'string'
        ? (repo as { url: string }).url
        : '';
  return url
    .trim()
    .replace(/^git\+/, '')
    .replace(/\.git$/, '');
}

const PACKAGE = readPackage();

export const VERSION = typeof PACKAGE?.version === 'string' ? PACKAGE.version : '0.0.0';

/** The project's public home (package.json `homepage`), e.g. https://github.com/wattgate/wattgate. */
export const HOMEPAGE = PACKAGE === undefined ? '' : projectUrl(PACKAGE);
