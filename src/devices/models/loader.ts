/**
 * The built-in templates: `templates/fragments/<name>.json` (shared blocks)
 * and `templates/<family>/<id>.json` (one model per file). Besides the schema
 * and the model rules (resolve.ts), a built-in file must be named after its
 * id, sit in the folder of its family, and use an id no other file uses; a
 * fragment file is named after its fragment. The first file that breaks a
 * rule stops the load with an error naming the file (`templates/…`), the JSON
 * path and the rule: built-ins are part of the release, and tests load them all.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorDetail } from '../../shared/errors.js';
import type { ResolvedModel } from '../model-schema.js';
import { parseFragmentDocument, parseModelDocument } from './parse.js';
import { builtInTemplatesDir } from './paths.js';
import { modelError } from './problems.js';
import { type FragmentSet, type LoadedFragment, resolveModel } from './resolve.js';

export const FRAGMENTS_FOLDER = 'fragments';

export interface BuiltInTemplates {
  readonly dir: string;
  /** Sorted by id. */
  readonly models: readonly ResolvedModel[];
  readonly fragments: FragmentSet;
  /** Model id → its file, relative to the templates folder (`th110/th110.json`). */
  readonly files: ReadonlyMap<string, string>;
}

const jsonFiles = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

function loadFragments(dir: string): Map<string, LoadedFragment> {
  const out = new Map<string, LoadedFragment>();
  for (const name of jsonFiles(join(dir, FRAGMENTS_FOLDER))) {
    const file = `${FRAGMENTS_FOLDER}/${name}`;
    const where = `templates/${file}`;
    const fragment = parseFragmentDocument(readFileSync(join(dir, file), 'utf8'), where);
    if (`${fragment.fragment}.json` !== name)
      throw modelError(where, [
        { path: '/fragment', message: `must be "${name.slice(0, -5)}", the file's name` },
      ]);
    out.set(fragment.fragment, { fragment, file });
  }
  return out;
}

function placementProblems(id: string, family: string, folder: string, name: string): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (`${id}.json` !== name)
    out.push({ path: '/id', message: `must be "${name.slice(0, -5)}", the file's name` });
  if (family !== folder)
    out.push({ path: '/family', message: `must be "${folder}", the folder the file is in` });
  return out;
}

function familyFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== FRAGMENTS_FOLDER && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Loads and checks every built-in template under `dir`; throws on the first bad file. */
export function loadTemplates(dir: string = builtInTemplatesDir()): BuiltInTemplates {
  const fragments = loadFragments(dir);
  const models: ResolvedModel[] = [];
  const files = new Map<string, string>();
  for (const folder of familyFolders(dir)) {
    for (const name of jsonFiles(join(dir, folder))) {
      const file = `${folder}/${name}`;
      const where = `templates/${file}`;
      const doc = parseModelDocument(readFileSync(join(dir, file), 'utf8'), where);
      const problems = placementProblems(doc.id, doc.family, folder, name);
      const other = files.get(doc.id);
      if (other !== undefined)
        problems.push({ path: '/id', message: `"${doc.id}" is already used by templates/${other}` });
      if (problems.length > 0) throw modelError(where, problems);
      models.push(resolveModel(doc, fragments, where));
      files.set(doc.id, file);
    }
  }
  models.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { dir, models, fragments, files };
}

let cached: BuiltInTemplates | undefined;

/** The release's built-in templates, loaded once per process. */
export function builtInTemplates(): BuiltInTemplates {
  cached ??= loadTemplates();
  return cached;
}
