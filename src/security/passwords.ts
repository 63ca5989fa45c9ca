/**
 * Password hashing (SECURITY A2, A3, J1).
 *
 * - scrypt (node:crypto) with N = 2^15, r = 8, p = 1 (32 MiB per hash), a fresh
 *   16-byte random salt per hash (so two accounts with one password have
 *   different hashes), 32-byte output.
 * - Stored as a PHC string: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (standard
 *   base64 without padding, the format passlib reads). Parameters travel with
 *   the hash, so raising the cost later keeps old hashes verifiable.
 * - Compared with crypto.timingSafeEqual.
 * - Byte cap: a password longer than MAX_PASSWORD_BYTES UTF-8 bytes is never
 *   hashed (verify answers false after hashing a dummy, so timing is alike);
 *   nothing is ever truncated.
 * - Bounded concurrency: `PasswordHasher` runs at most `maxConcurrent` hashes at
 *   once and queues at most `maxQueued`; beyond that it throws
 *   WattgateError(BUSY) at once (HTTP 429), which is NOT a failed login.
 * - Off the event loop at the lowest priority: `PasswordHasher` computes scrypt
 *   in its own worker threads at nice 19 (hash-worker.ts), not on libuv's
 *   pool, so a login flood only gets CPU time Modbus does not want (J1; the
 *   measurement is in docs/operations.md). The `...Raw` functions use libuv's
 *   pool (CLI tools).
 * - Unknown accounts are verified against a dummy PHC string with a random salt
 *   and a random key (`dummyPhc`): exactly the work of a real verification,
 *   and no password hashes to it.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, WattgateError } from '../shared/errors.js';
import { type HashThreadInfo, HashWorkerPool, type ScryptJob } from './hash-worker.js';
import { MAX_PASSWORD_BYTES } from './password-policy.js';

export interface ScryptParams {
  /** log2(N). */
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 1 };
/** Bounds accepted when parsing a stored hash (a crafted hash cannot ask for 1 TiB). */
const LIMITS = { lnMin: 10, lnMax: 20, rMax: 32, pMax: 4 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PHC_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d)\$([A-Za-z0-9+/]{16,64})\$([A-Za-z0-9+/]{32,128})$/;

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** Computes one scrypt key. */
export type Deriver = (job: ScryptJob) => Promise<Buffer>;

/** scrypt on libuv's thread pool (CLI tools and the `...Raw` functions). */
export const deriveOnLibuvPool: Deriver = (job) =>
  new Promise((resolve, reject) => {
    const { N, r, p, maxmem } = job;
    scrypt(job.password, job.salt, job.keylen, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

function scryptJob(password: string | Buffer, salt: Buffer, params: ScryptParams, len: number): ScryptJob {
  const N = 2 ** params.ln;
  const maxmem = 256 * N * params.r + 16 * 1024 * 1024;
  return { password, salt, keylen: len, N, r: params.r, p: params.p, maxmem };
}

export interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** Parses a PHC scrypt string; undefined when malformed or outside the accepted bounds. */
export function parsePhc(phc: string): ParsedHash | undefined {
  const m = PHC_RE.exec(phc);
  if (!m) return undefined;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < LIMITS.lnMin || params.ln > LIMITS.lnMax) return undefined;
  if (params.r < 1 || params.r > LIMITS.rMax || params.p < 1 || params.p > LIMITS.pMax) return undefined;
  return { params, salt: Buffer.from(m[4] ?? '', 'base64'), hash: Buffer.from(m[5] ?? '', 'base64') };
}

function overCap(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
}

/** Hashes a password (unbounded: callers go through PasswordHasher). */
export async function hashPasswordRaw(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
  derive: Deriver = deriveOnLibuvPool,
): Promise<string> {
  if (overCap(password)) {
    throw new WattgateError(ErrorCodes.PASSWORD_POLICY, `password exceeds ${MAX_PASSWORD_BYTES} bytes`);
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(scryptJob(password.normalize('NFC'), salt, params, KEY_BYTES));
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * A well-formed PHC string with a random salt and a random key: what unknown
 * accounts are verified against (SEC-A5). Verifying against it costs exactly
 * what a real verification costs; no password hashes to a random key.
 */
export function dummyPhc(params: ScryptParams = DEFAULT_SCRYPT): string {
  const [salt, key] = [randomBytes(SALT_BYTES), randomBytes(KEY_BYTES)];
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * Verifies a password against a PHC string in constant time. A malformed stored
 * hash or an over-cap password gives false (after the same amount of work).
 */
export async function verifyPasswordRaw(
  password: string,
  phc: string,
  derive: Deriver = deriveOnLibuvPool,
): Promise<boolean> {
  const parsed = parsePhc(phc);
  const params = parsed?.params ?? DEFAULT_SCRYPT;
  const salt = parsed?.salt ?? randomBytes(SALT_BYTES);
  const len = parsed?.hash.length ?? KEY_BYTES;
  const input = overCap(password) ? randomBytes(32) : password.normalize('NFC');
  const key = await derive(scryptJob(input, salt, params, len));
  if (!parsed || overCap(password)) return false;
  return timingSafeEqual(key, parsed.hash);
}

export interface HasherOptions {
  /** Hashes computed at the same time (default 1: leaves the other core to Modbus). */
  maxConcurrent?: number;
  /** Hashes waiting for a slot (default 4); one more → BUSY. */
  maxQueued?: number;
  params?: ScryptParams;
}

/** The one gate every password hash or verification goes through. */
export class PasswordHasher {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  readonly params: ScryptParams;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #dummy: string;
  readonly #pool: HashWorkerPool;
  readonly #derive: Deriver;

  constructor(opts: HasherOptions = {}) {
    this.maxConcurrent = opts.maxConcurrent ?? 1;
    this.maxQueued = opts.maxQueued ?? 4;
    this.params = opts.params ?? DEFAULT_SCRYPT;
    this.#dummy = dummyPhc(this.params);
    this.#pool = new HashWorkerPool({ size: this.maxConcurrent });
    this.#derive = (job) => this.#pool.derive(job);
  }

  /** Hashes running plus waiting. */
  get load(): number {
    return this.#running + this.#waiting.length;
  }

  hash(password: string): Promise<string> {
    return this.#run(() => hashPasswordRaw(password, this.params, this.#derive));
  }

  verify(password: string, phc: string): Promise<boolean> {
    return this.#run(() => verifyPasswordRaw(password, phc, this.#derive));
  }

  /** Same work and timing as a real verification, always false: for unknown accounts. */
  async verifyDummy(password: string): Promise<false> {
    await this.#run(() => verifyPasswordRaw(password, this.#dummy, this.#derive));
    return false;
  }

  /** The hashing thread's id and niceness (starts it if needed): for tests and diagnostics. */
  threadInfo(): Promise<HashThreadInfo> {
    return this.#pool.threadInfo();
  }

  /** Ends the hashing threads (they are unref'd while idle, so this is optional). */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Throws BUSY synchronously-at-call when both the slots and the queue are full. */
  async #run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxConcurrent) {
      if (this.#waiting.length >= this.maxQueued) {
        throw new WattgateError(ErrorCodes.BUSY, 'too many password checks in progress; retry shortly');
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
