/**
 * Children for kill -9 loops (config-kill9 and history-kill9 tests, the
 * history soak). Under tsx a child spends ~1.2 s of CPU loading TypeBox's 700
 * modules, which would make dozens of kills slow on two cores; so the fixture
 * is bundled once with esbuild (tsx's own dependency) into node_modules/.cache,
 * where better-sqlite3 still resolves, with each source module's
 * `import.meta.url` kept as its own file's URL (a small esbuild plugin), so
 * every store finds the migration files beside its owner. Without
 * esbuild (or with WATTGATE_KILL_VIA=tsx) the children run the .ts fixture
 * through tsx: same test, slower.
 *
 * A child prints `loaded` once its modules are in, then any lines of its own
 * protocol; it must only ever end by SIGKILL (anything else rejects `exited`).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.js';

export interface CrashChild {
  proc: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  lines: string[];
  loaded: Promise<void>;
  exited: Promise<void>;
}

/** Resolves once a stdout line matches `pattern`; rejects after `timeoutMs` or if the child exits first. */
export async function lineMatching(child: CrashChild, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  child.exited.then(
    () => {
      exited = true;
    },
    () => {
      exited = true;
    },
  );
  for (let seen = 0; ; ) {
    for (; seen < child.lines.length; seen++) {
      const line = child.lines[seen] ?? '';
      if (pattern.test(line)) return line;
    }
    if (exited) throw new Error(`child exited before printing ${pattern}`);
    if (performance.now() > deadline) throw new Error(`no line ${pattern} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Build = (opts: Record<string, unknown>) => Promise<unknown>;

interface PluginBuild {
  onLoad(
    options: { filter: RegExp },
    fn: (args: { path: string }) => Promise<{ contents: string; loader: 'ts' }>,
  ): void;
}

/** Replaces `import.meta.url` in every bundled .ts module by that module's own file URL. */
const ownModuleUrls = {
  name: 'own-module-urls',
  setup(build: PluginBuild) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** The node arguments that start `fixture` (an absolute .ts path): a cached bundle, or tsx. */
export async function crashChildArgs(fixture: string): Promise<string[]> {
  const viaTsx = ['--import', 'tsx', fixture];
  if (process.env.WATTGATE_KILL_VIA === 'tsx') return viaTsx;
  try {
    const specifier = 'esbuild';
    const { build } = (await import(specifier)) as { build: Build };
    const outfile = join(
      ROOT,
      'node_modules/.cache/wattgate-tests',
      basename(fixture).replace(/\.ts$/, '.mjs'),
    );
    await build({
      entryPoints: [fixture],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3'],
      plugins: [ownModuleUrls],
      logLevel: 'silent',
    });
    return [outfile];
  } catch {
    return viaTsx;
  }
}

export function spawnCrashChild(args: readonly string[], dbPath: string): CrashChild {
  const proc = spawn(process.execPath, [...args, dbPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buf = '';
  let onLoaded: () => void = () => {};
  const loaded = new Promise<void>((resolve) => {
    onLoaded = resolve;
  });
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      if (l === 'loaded') onLoaded();
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<void>((resolve, reject) => {
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited by itself (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
  exited.catch(() => {}); // observed where awaited
  return { proc, lines, loaded, exited };
}
