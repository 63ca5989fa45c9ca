/**
 * The web Part as the main thread sees it (issue 14, "the Modbus path never
 * waits behind web work"): the HTTPS server runs in a worker thread
 * (worker.ts) at a lower CPU priority (`web.threadNice`, default 10), so TLS, JSON,
 * history queries, exports and logins compete with the Modbus event loop
 * only for CPU that the scheduler gives the worker after main — measured
 * with `npm run bench isolation` (docs/architecture.md).
 *
 * Main answers the worker's calls on the parts it owns (handlers.ts), sends
 * it the configuration sections it follows (`config.section`) when they
 * change, and writes its log lines. Messages are bounded (shared/rpc.ts): at
 * most 256 calls outstanding each way, 30 s each.
 *
 * A worker that dies unexpectedly is logged and started again after a
 * pause (1 s, doubling to 60 s): the web UI comes back, Modbus never noticed.
 */
import { Worker } from 'node:worker_threads';
import type { ConfigStore } from '../config/store.js';
import type { Installation } from '../db/index.js';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import type { Part } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import { Rpc } from '../shared/rpc.js';
import { type MainServices, serveMain } from './handlers.js';
import { type LogLine, type WebWorkerData, WORKER_SECTIONS } from './protocol.js';

export interface WebHostContext {
  readonly log: Logger;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly version: string;
  readonly installation: Installation;
  readonly config: ConfigStore;
  readonly services: MainServices;
  /** The worker logs at this level and above. */
  readonly logLevel?: string;
  /** Overrides `web.threadNice` (read at each start of the worker). */
  readonly nice?: number;
  readonly portOverride?: number;
  readonly hostsOverride?: readonly string[];
}

export interface WebStarted {
  readonly addresses: string[];
  /** The worker thread's id and its niceness after lowering it (Linux; undefined elsewhere). */
  readonly tid: number | undefined;
  readonly nice: number | undefined;
}

/**
 * The web thread's heap limits (MB): a runaway request (a huge export) ends
 * the web thread with ERR_WORKER_OUT_OF_MEMORY — restarted, main untouched —
 * instead of growing the whole process. The young generation is kept small:
 * V8's default (up to 48 MB a thread) is most of an idle thread's memory.
 * Main's own limits are node flags (deploy/wattgate.service, package.json).
 */
export const WEB_HEAP_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 4 } as const;

/** The worker's module next to this one: `.ts` when running from the sources (tsx), `.js` when built. */
function workerEntry(): string {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './worker.ts' : './worker.js', self).href;
}

/** Loads the entry in a worker (tsx's loader is not inherited by workers: register it there first). */
function bootstrap(entry: string): string {
  return [
    `const entry = ${JSON.stringify(entry)};`,
    "if (entry.endsWith('.ts')) { const { register } = await import('tsx/esm/api'); register(); }",
    'await import(entry);',
  ].join('\n');
}

export class WebHost implements Part {
  readonly name = 'web';
  readonly #ctx: WebHostContext;
  readonly #log: Logger;
  #worker: Worker | undefined;
  #rpc: Rpc | undefined;
  #started: WebStarted | undefined;
  #offs: Array<() => void> = [];
  #stopping = false;
  #restart: TimerHandle | undefined;
  #restartDelayMs = 1000;

  constructor(ctx: WebHostContext) {
    this.#ctx = ctx;
    this.#log = ctx.log.child({ component: 'web' });
  }

  /** The listeners' addresses and the worker thread, as of the last start. */
  get started(): WebStarted | undefined {
    return this.#started;
  }

  /** The listeners' bound addresses now (they follow configuration changes). */
  async addresses(): Promise<string[]> {
    if (!this.#rpc) return [];
    return this.#rpc.call<string[]>('web.addresses');
  }

  async start(): Promise<void> {
    this.#stopping = false;
    await this.#spawn();
    const cfg = this.#ctx.config;
    this.#offs = WORKER_SECTIONS.map((section) =>
      cfg.subscribe(section, (value) => this.#rpc?.notify('config.section', { section, value })),
    );
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restart?.cancel();
    for (const off of this.#offs.splice(0)) off();
    const worker = this.#worker;
    const rpc = this.#rpc;
    this.#worker = undefined;
    this.#rpc = undefined;
    if (!worker || !rpc) return;
    try {
      await rpc.call('web.stop', undefined, 60_000);
    } catch (err) {
      this.#log.warn({ err }, 'web worker did not stop cleanly');
    }
    rpc.close('stopped');
    await worker.terminate();
  }

  async #spawn(): Promise<void> {
    const c = this.#ctx;
    const data: WebWorkerData = {
      dataDir: c.dataDir,
      version: c.version,
      installation: c.installation,
      logLevel: c.logLevel ?? 'info',
      nice: c.nice ?? c.config.section('web').threadNice,
      sections: {
        web: c.config.section('web'),
        networks: c.config.section('networks'),
        system: c.config.section('system'),
        audit: c.config.section('audit'),
      },
      ...(c.portOverride === undefined ? {} : { portOverride: c.portOverride }),
      ...(c.hostsOverride === undefined ? {} : { hostsOverride: c.hostsOverride }),
    };
    const worker = new Worker(bootstrap(workerEntry()), {
      eval: true,
      workerData: data,
      execArgv: [],
      resourceLimits: WEB_HEAP_LIMITS,
    });
    const rpc = new Rpc(worker, { clock: c.clock, maxInFlight: 256, timeoutMs: 30_000 });
    serveMain(rpc, c.services);
    rpc.onNotify<LogLine>('log', (l) => this.#write(l));
    const loaded = new Promise<void>((resolve, reject) => {
      rpc.onNotify('web.loaded', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new WattgateError(ErrorCodes.UNAVAILABLE, `web worker exited (${code})`)),
      );
    });
    try {
      await loaded;
      // TLS material, the first device code, the routes: slow on a loaded 2-core host (tsx compiles the sources).
      this.#started = await rpc.call<WebStarted>('web.start', undefined, 180_000);
    } catch (e) {
      rpc.close('failed to start');
      await worker.terminate();
      throw e;
    }
    this.#worker = worker;
    this.#rpc = rpc;
    this.#restartDelayMs = 1000;
    this.#ctx.services.health.set?.('web.worker', false, 'web server running');
    worker.on('error', (err) => this.#log.error({ err }, 'web worker failed'));
    worker.on('exit', (code) => this.#exited(worker, rpc, code));
    this.#log.info({ ...this.#started }, 'web worker started');
  }

  #exited(worker: Worker, rpc: Rpc, code: number): void {
    if (this.#worker !== worker || this.#stopping) return;
    this.#worker = undefined;
    this.#rpc = undefined;
    rpc.close('web worker exited');
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(60_000, delay * 2);
    this.#log.error({ code, restartInMs: delay }, 'web worker exited: starting it again');
    this.#ctx.services.health.set?.(
      'web.worker',
      true,
      `the web server's thread exited (${code}); restarting it`,
    );
    this.#restart = this.#ctx.clock.setTimeout(() => {
      this.#restart = undefined;
      if (!this.#stopping)
        this.#spawn().catch((err: unknown) => this.#log.error({ err }, 'web worker restart failed'));
    }, delay);
  }

  #write(l: LogLine): void {
    const log = Object.keys(l.bindings).length > 0 ? this.#log.child(l.bindings) : this.#log;
    if (l.obj === undefined) log[l.level](l.msg ?? '');
    else log[l.level](l.obj as object, l.msg);
  }
}

export function createWebHost(ctx: WebHostContext): WebHost {
  return new WebHost(ctx);
}
