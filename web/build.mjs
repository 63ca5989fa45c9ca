/**
 * Builds the web UI (web/main.ts and web/app.css) with esbuild: one script
 * and one stylesheet, minified, named by their content hash so the server can
 * let browsers cache them for a year. Used by `npm run build` (written to
 * dist/web with a manifest) and by the web thread when it runs from sources
 * (in memory, ~100 ms), so the README's first command shows the UI.
 * Returns { entry: { js, css }, files: [{ name, type, body }] }.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export async function buildUi() {
  const r = await build({
    entryPoints: { ui: join(HERE, 'main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome100', 'firefox100', 'safari15'],
    entryNames: '[name]-[hash]',
    outdir: join(HERE, 'out'),
    write: false,
    metafile: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  // esbuild's build service is a child process that would otherwise stay for the life of Wattgate.
  await stop();
  const files = r.outputFiles.map((f) => {
    const name = basename(f.path);
    const ext = name.slice(name.lastIndexOf('.'));
    return { name, type: TYPES[ext] ?? 'application/octet-stream', body: Buffer.from(f.contents) };
  });
  const js = files.find((f) => f.name.endsWith('.js'))?.name;
  const css = files.find((f) => f.name.endsWith('.css'))?.name;
  if (!js || !css) throw new Error('web UI build produced no script or stylesheet');
  return { entry: { js, css }, files };
}

/** Writes the build and its manifest.json into `outdir` (npm run build: dist/web). */
export async function writeUi(outdir) {
  const ui = await buildUi();
  await mkdir(outdir, { recursive: true });
  for (const f of ui.files) await writeFile(join(outdir, f.name), f.body);
  const manifest = { entry: ui.entry, files: ui.files.map((f) => ({ name: f.name, type: f.type })) };
  await writeFile(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return ui;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(HERE, '../dist/web');
  const ui = await writeUi(out);
  console.log(`web UI: ${ui.entry.js}, ${ui.entry.css} → ${out}`);
}
