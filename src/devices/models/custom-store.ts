/**
 * Where custom models are kept: one JSON file per model, `<id>.json`, in a
 * folder of the data directory (`<data>/models/`, mode 0700, files 0600) —
 * the same format as a built-in template, self-contained (fragments already
 * merged), so a file can be copied into templates/ or to another panel.
 * Writes are atomic (temporary file, fsync, rename, fsync of the folder): a
 * crash leaves the old or the new file, never a partial one. Model ids match
 * MODEL_ID_PATTERN, so they are safe file names. A memory store serves tests
 * and catalogs without a data directory.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { DeviceModel } from '../model-schema.js';

export interface StoredModelFile {
  /** File name, for error messages (`models/<id>.json`). */
  readonly name: string;
  readonly text: string;
}

export interface CustomModelStore {
  list(): StoredModelFile[];
  write(model: DeviceModel): void;
  /** False when there was no such model. */
  remove(id: string): boolean;
}

/** The folder of custom models inside a data directory. */
export const customModelsDir = (dataDir: string): string => join(dataDir, 'models');

const storageError = (message: string, cause: unknown) =>
  new WattgateError(ErrorCodes.STORAGE, `${message}: ${(cause as Error).message}`, { cause });

function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAtomic(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, join(dir, name));
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  fsyncPath(dir);
}

export class JsonDirModelStore implements CustomModelStore {
  constructor(readonly dir: string) {}

  list(): StoredModelFile[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .map((n) => ({ name: `models/${n}`, text: readFileSync(join(this.dir, n), 'utf8') }));
  }

  write(model: DeviceModel): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeAtomic(this.dir, `${model.id}.json`, `${JSON.stringify(model, null, 2)}\n`);
    } catch (e) {
      throw storageError(`cannot save custom model ${model.id}`, e);
    }
  }

  remove(id: string): boolean {
    const path = join(this.dir, `${id}.json`);
    if (!existsSync(path)) return false;
    try {
      unlinkSync(path);
      fsyncPath(this.dir);
    } catch (e) {
      throw storageError(`cannot delete custom model ${id}`, e);
    }
    return true;
  }
}

export class MemoryModelStore implements CustomModelStore {
  readonly files = new Map<string, string>();

  list(): StoredModelFile[] {
    return [...this.files]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, text]) => ({ name: `models/${id}.json`, text }));
  }

  write(model: DeviceModel): void {
    this.files.set(model.id, JSON.stringify(model));
  }

  remove(id: string): boolean {
    return this.files.delete(id);
  }
}
