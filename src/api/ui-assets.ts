/**
 * The web UI's files (web/ → one hashed script, one hashed stylesheet): read
 * from the release's `dist/web/manifest.json`, or, running from sources,
 * built in memory by web/build.mjs (esbuild, a development dependency, ~100
 * ms). Loaded once per process; when neither is there the pages answer 503
 * with a message saying how to build.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findUpPath } from '../db/release-files.js';

export interface UiFile {
  readonly name: string;
  readonly type: string;
  readonly body: Buffer;
}

export interface UiAssets {
  readonly entry: { readonly js: string; readonly css: string };
  readonly files: readonly UiFile[];
}

interface Manifest {
  entry: { js: string; css: string };
  files: { name: string; type: string }[];
}

async function fromManifest(path: string): Promise<UiAssets> {
  const m = JSON.parse(await readFile(path, 'utf8')) as Manifest;
  const dir = dirname(path);
  const files = await Promise.all(
    m.files.map(async (f) => ({ name: f.name, type: f.type, body: await readFile(join(dir, f.name)) })),
  );
  return { entry: m.entry, files };
}

async function fromSources(script: string): Promise<UiAssets> {
  const mod = (await import(pathToFileURL(script).href)) as { buildUi: () => Promise<UiAssets> };
  return mod.buildUi();
}

let loading: Promise<UiAssets | undefined> | undefined;

/** The UI files, or undefined (with the reason in `onMissing`) when there is no build and no source. */
export function loadUiAssets(onMissing: (why: string) => void = () => {}): Promise<UiAssets | undefined> {
  loading ??= (async () => {
    const manifest = findUpPath(import.meta.url, join('web', 'manifest.json'));
    if (manifest !== undefined) return fromManifest(manifest);
    const script = findUpPath(import.meta.url, join('web', 'build.mjs'));
    if (script !== undefined) return fromSources(script);
    return undefined;
  })().catch((e: unknown) => {
    onMissing(`the web UI could not be loaded: ${(e as Error).message}`);
    loading = undefined;
    return undefined;
  });
  return loading;
}
