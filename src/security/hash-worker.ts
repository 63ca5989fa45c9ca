/**
 * scrypt in a dedicated worker thread at the lowest CPU priority (SECURITY J1).
 *
 * Why: a login flood keeps the password hasher busy back to back (≈ 0.15 s of
 * CPU per attempt). On libuv's thread pool that is a normal-priority thread
 * competing on equal terms with the Modbus event loop, the simulator-facing
 * sockets and everything else on a 2-core panel; measured with the
 * login-flood benchmark it cut Modbus throughput to about half. Here each hash
 * runs synchronously (`scryptSync`) on the worker's own thread, and the
 * worker lowers the priority of that thread alone to nice 19 at start
 * (`os.setPriority(0, 19)`: on Linux niceness is per thread, and `0` is the
 * calling thread; the process and its event loop keep their priority). The
 * scheduler then gives the hash only CPU time nothing else wants.
 *
 * - The worker's code is a plain JavaScript string run with `eval: true` and
 *   no inherited Node options, so it loads the same way from the TypeScript
 *   sources (tsx, whose loader workers do not inherit) and from the compiled
 *   dist/, with no file to copy.
 * - `ready` reports the thread id (from /proc/thread-self) and the niceness
 *   the thread really has, so a test can check /proc/<pid>/task/<tid>/stat.
 * - One job at a time per worker; the pool (`HashWorkerPool`) has one worker
 *   per concurrent hash and is only ever asked for as many as the
 *   PasswordHasher's gate lets through.
 * - Workers start on first use and are unref'd while idle (they never keep a
 *   CLI or a test process alive). A worker that dies fails its job with
 *   UNAVAILABLE and is replaced by the next job.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCodes, WattgateError } from '../shared/errors.js';

/** Niceness of the hashing thread: the lowest priority. */
export const HASH_NICE = 19;

export interface ScryptJob {
  password: string | Buffer;
  salt: Buffer;
  keylen: number;
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

export interface HashThreadInfo {
  /** Linux thread id of the worker (undefined without /proc). */
  tid: number | undefined;
  /** The thread's niceness after the worker lowered it (undefined if unknown). */
  nice: number | undefined;
}

// Valid as CommonJS and as an ES module (should Node options ever make eval
// code a module): no import statements; built-ins through require, or through
// process.getBuiltinModule where require does not exist.
const WORKER_SOURCE = `
const load = (m) => (typeof require === 'function' ? require(m) : process.getBuiltinModule(m));
const { parentPort, workerData } = load('node:worker_threads');
const { scryptSync } = load('node:crypto');
const { getPriority, setPriority } = load('node:os');
const { readlinkSync } = load('node:fs');
let tid;
let nice;
try { tid = Number(readlinkSync('/proc/thread-self').split('/').pop()); } catch {}
try { setPriority(0, workerData.nice); } catch {}
try { nice = getPriority(0); } catch {}
parentPort.postMessage({ ready: true, tid, nice });
parentPort.on('message', (m) => {
  try {
    const key = scryptSync(m.password, m.salt, m.keylen, { N: m.N, r: m.r, p: m.p, maxmem: m.maxmem });
    parentPort.postMessage({ key: new Uint8Array(key) });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});
`;

interface Reply {
  ready?: boolean;
  tid?: number;
  nice?: number;
  key?: Uint8Array;
  error?: string;
}

/** One worker thread; runs one scrypt job at a time. */
class HashThread {
  readonly #worker: Worker;
  readonly ready: Promise<HashThreadInfo>;
  #job: { resolve: (key: Buffer) => void; reject: (e: Error) => void } | undefined;
  #dead = false;

  constructor(nice: number) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { nice } });
    this.#worker.unref();
    let ready: (info: HashThreadInfo) => void = () => {};
    this.ready = new Promise((resolve) => {
      ready = resolve;
    });
    this.#worker.on('message', (m: Reply) => {
      if (m.ready) ready({ tid: m.tid, nice: m.nice });
      else this.#settle(m);
    });
    const die = (why: string) => {
      this.#dead = true;
      ready({ tid: undefined, nice: undefined });
      this.#settle({ error: why });
    };
    this.#worker.on('error', (e) => die(e.message));
    this.#worker.on('exit', (code) => die(`password hashing thread exited (${code})`));
  }

  get busy(): boolean {
    return this.#job !== undefined;
  }

  get dead(): boolean {
    return this.#dead;
  }

  run(job: ScryptJob): Promise<Buffer> {
    if (this.#dead) return Promise.reject(unavailable('password hashing thread is gone'));
    return new Promise((resolve, reject) => {
      this.#job = { resolve, reject };
      this.#worker.ref(); // a pending hash keeps the process alive
      this.#worker.postMessage(job);
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }

  #settle(m: Reply): void {
    const job = this.#job;
    if (!job) return;
    this.#job = undefined;
    if (!this.#dead) this.#worker.unref();
    if (m.key) job.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
    else job.reject(unavailable(m.error ?? 'password hashing failed'));
  }
}

const unavailable = (msg: string) => new WattgateError(ErrorCodes.UNAVAILABLE, msg);

/** Up to `size` hashing threads, started on demand. */
export class HashWorkerPool {
  readonly size: number;
  readonly nice: number;
  #threads: HashThread[] = [];

  constructor(opts: { size?: number; nice?: number } = {}) {
    this.size = Math.max(1, opts.size ?? 1);
    this.nice = opts.nice ?? HASH_NICE;
  }

  /** Derives a scrypt key on an idle thread; throws BUSY if all `size` are busy. */
  async derive(job: ScryptJob): Promise<Buffer> {
    return this.#idle().run(job);
  }

  /** Starts (if needed) one thread and reports its id and niceness. */
  async threadInfo(): Promise<HashThreadInfo> {
    return this.#idle().ready;
  }

  async close(): Promise<void> {
    const threads = this.#threads;
    this.#threads = [];
    await Promise.all(threads.map((t) => t.terminate()));
  }

  #idle(): HashThread {
    this.#threads = this.#threads.filter((t) => !t.dead);
    const free = this.#threads.find((t) => !t.busy);
    if (free) return free;
    if (this.#threads.length >= this.size) {
      throw new WattgateError(ErrorCodes.BUSY, 'every password hashing thread is busy');
    }
    const t = new HashThread(this.nice);
    this.#threads.push(t);
    return t;
  }
}
