/**
 * The repository is self-contained (issue 13): a user's clone has nothing
 * beside it, so no source, test, simulator, benchmark or script may reach a
 * path outside the repository (the public register maps live in
 * reference/modbus-map/). Every relative path written in a string literal is
 * resolved from its file's folder; one that leaves the repository fails here.
 * `join(x, '..', '..')` chains are resolved the same way.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '../..');
const FOLDERS = ['src', 'test', 'sim', 'bench', 'scripts', 'web', 'templates', 'deploy', '.ci'];
const EXTENSIONS = /\.(ts|mts|js|mjs|cjs|sh|json|c|py|service)$|^run$/;

function* files(dir: string): Generator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (EXTENSIONS.test(e.name)) yield p;
  }
}

/** Relative paths in `text` (quoted literals, and `'..'` segment chains) that resolve outside `root`. */
export function escapingPaths(text: string, fileDir: string, root: string): string[] {
  const out: string[] = [];
  const inside = (p: string) => p === root || p.startsWith(root + sep);
  for (const m of text.matchAll(/["'`]((?:\.\.?\/)+[^"'`\s]*)["'`]/g)) {
    const lit = m[1] as string;
    if (!inside(resolve(fileDir, lit))) out.push(lit);
  }
  for (const m of text.matchAll(/(?:["']\.\.["']\s*,\s*){2,}(?:["'][^"']*["'])?/g)) {
    const parts = [...m[0].matchAll(/["']([^"']*)["']/g)].map((x) => x[1] as string);
    if (!inside(resolve(fileDir, ...parts))) out.push(parts.join('/'));
  }
  if (/\.\.\/shared\/(?:reference|spec|STACK|ARCHITECTURE)/.test(text)) out.push('../shared/…');
  return out;
}

test('the checker finds a path that leaves the repository (it can fail)', () => {
  const dir = join(ROOT, 'test', 'integration');
  assert.deepEqual(escapingPaths("join(HERE, '../../../shared/reference/x.tsv')", dir, ROOT), [
    '../../../shared/reference/x.tsv',
    '../shared/…',
  ]);
  assert.deepEqual(escapingPaths("join(HERE, '..', '..', '..', 'shared')", dir, ROOT), ['../../../shared']);
  assert.deepEqual(
    escapingPaths("readFileSync(new URL('../../reference/a.tsv', import.meta.url))", dir, ROOT),
    [],
  );
});

test('nothing in src, test, sim, bench, scripts, web, templates, deploy or .ci reads outside the repository', () => {
  const found: string[] = [];
  let checked = 0;
  for (const folder of FOLDERS) {
    for (const file of files(join(ROOT, folder))) {
      checked++;
      if (file === SELF) continue; // its own examples of escaping paths
      const text = readFileSync(file, 'utf8');
      for (const p of escapingPaths(text, dirname(file), ROOT)) found.push(`${relative(ROOT, file)}: ${p}`);
    }
  }
  assert.ok(checked > 300, `only ${checked} files checked`);
  assert.deepEqual(found, [], `paths outside the repository:\n${found.join('\n')}`);
});

test('the public register maps the tests use are in the repository', () => {
  const names = readdirSync(join(ROOT, 'reference', 'modbus-map'));
  for (const f of ['Panel_Server.tsv', 'Modbus_Tables.tsv', 'Commercial_References.tsv', 'README.md']) {
    assert.ok(names.includes(f), `reference/modbus-map/${f} is missing`);
  }
  assert.ok(names.filter((n) => n.endsWith('.tsv')).length >= 16);
});
