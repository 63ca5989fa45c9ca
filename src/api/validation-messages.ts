/**
 * Request validation problems in the user's terms (issue 15 item 5): the
 * schema validator's raw list (fastify's `error.validation`) becomes one
 * `{ path, message }` per real problem, the path a JSON pointer into the body
 * (or query, or route parameters) naming the field:
 *
 * - a union told apart by a constant (`location.kind`): only the branch the
 *   input chose is reported; when no branch fits, one problem lists the
 *   allowed kinds — instead of every branch's failures and "must match a
 *   schema in anyOf";
 * - "schema is false" (the validator's echo of an unknown property) is
 *   dropped: the property is named once as "unknown property";
 * - `enum` lists the allowed values, `required` names each missing field,
 *   an empty string "must not be empty".
 *
 * Pure: no fastify import, tested in validation-messages.test.ts.
 */

export interface RawValidationError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

export interface Problem {
  readonly path: string;
  readonly message: string;
}

const ANY_OF = /^(.*?\/anyOf)\/(\d+)(?:\/|$)/;

/** Patterns the API uses, in words. */
const PATTERN_WORDS: Readonly<Record<string, string>> = {
  '^\\S(?:.*\\S)?$': 'must not start or end with a space',
  '^[0-9A-Fa-f]{16}$': 'must be 16 hexadecimal digits',
  '^[1-9][0-9]{0,9}$': 'must be a whole number from 1',
};

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** Keeps, for each union, the branch the input chose by its constant; else one "must be one of" problem. */
function resolveUnions(errors: readonly RawValidationError[]): {
  kept: RawValidationError[];
  extra: Problem[];
} {
  const unions = new Map<string, Map<number, RawValidationError[]>>();
  const plain: RawValidationError[] = [];
  for (const e of errors) {
    const m = ANY_OF.exec(e.schemaPath);
    if (!m) {
      if (e.keyword !== 'anyOf') plain.push(e);
      continue;
    }
    const [, union = '', branch = '0'] = m;
    const branches = unions.get(union) ?? new Map<number, RawValidationError[]>();
    unions.set(union, branches);
    const list = branches.get(Number(branch)) ?? [];
    list.push(e);
    branches.set(Number(branch), list);
  }
  const kept = [...plain];
  const extra: Problem[] = [];
  for (const branches of unions.values()) {
    const all = [...branches.values()];
    // The branch(es) whose constant (`kind`) matched; the nearest fit (fewest problems) when several.
    const chosen = all.filter((list) => !list.some((e) => e.keyword === 'const'));
    if (chosen.length > 0) {
      kept.push(...([...chosen].sort((a, b) => a.length - b.length)[0] ?? []));
      continue;
    }
    const consts = all.flat().filter((e) => e.keyword === 'const');
    const at = consts[0]?.instancePath ?? '';
    const allowed = [
      ...new Set(consts.filter((e) => e.instancePath === at).map((e) => show(e.params.allowedValue))),
    ];
    extra.push({ path: at || '/', message: `must be one of ${allowed.join(', ')}` });
  }
  return { kept, extra };
}

function child(path: string, key: string): string {
  return `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function problemsOf(e: RawValidationError): Problem[] {
  const path = e.instancePath || '/';
  const p = e.params;
  switch (e.keyword) {
    case 'boolean':
      return [];
    case 'additionalProperties': {
      const names = (p.additionalProperties as string[] | undefined) ?? [String(p.additionalProperty ?? '')];
      return names.map((k) => ({
        path: child(e.instancePath, k),
        message: 'unknown property is not allowed',
      }));
    }
    case 'required': {
      const names = (p.requiredProperties as string[] | undefined) ?? [String(p.missingProperty ?? '')];
      return names.map((k) => ({ path: child(e.instancePath, k), message: 'is required' }));
    }
    case 'enum':
      return [
        { path, message: `must be one of ${((p.allowedValues as unknown[]) ?? []).map(show).join(', ')}` },
      ];
    case 'const':
      return [{ path, message: `must be ${show(p.allowedValue)}` }];
    case 'minLength':
      return [
        { path, message: p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters` },
      ];
    case 'pattern':
      return [
        { path, message: PATTERN_WORDS[String(p.pattern)] ?? `must match the pattern ${String(p.pattern)}` },
      ];
    case 'maxLength':
      return [{ path, message: `must be at most ${p.limit} characters` }];
    default:
      return [{ path, message: e.message ?? `fails ${e.keyword}` }];
  }
}

/** One problem per field, in the input's terms; duplicates removed, order kept. */
export function validationProblems(errors: readonly RawValidationError[]): Problem[] {
  const { kept, extra } = resolveUnions(errors);
  // An empty string also fails its pattern: "must not be empty" says it all.
  const empty = new Set(kept.filter((e) => e.keyword === 'minLength').map((e) => e.instancePath));
  const relevant = kept.filter((e) => !(e.keyword === 'pattern' && empty.has(e.instancePath)));
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const p of [...relevant.flatMap(problemsOf), ...extra]) {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

const CONTEXT: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'address',
  headers: 'headers',
};

/** The message of the whole answer: where, then the first few problems. */
export function validationMessage(context: string | undefined, problems: readonly Problem[]): string {
  const where = CONTEXT[context ?? ''] ?? context ?? 'request';
  const list = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > 5 ? ` (+${problems.length - 5} more)` : '';
  return `invalid ${where}: ${list.join('; ')}${more}`;
}
