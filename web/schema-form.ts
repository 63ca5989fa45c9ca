/**
 * A form drawn from the configuration's JSON Schema (GET /api/v1/config/schema,
 * generated from the one TypeBox schema): every field gets the input its type
 * asks for (checkbox, number with the schema's bounds, list, text), objects
 * become fieldsets, arrays of objects and records keyed by name (networks)
 * become lists with Add and Remove. The form never decides validity itself:
 * the page sends each change to the API's dry run, which answers with the
 * same `{ path, message }` problems a save would, and they are shown beside
 * the fields they name (and listed at the top, linked to them).
 */
import { html } from './html.js';

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  format?: string;
  description?: string;
}

export interface Problem {
  path: string;
  message: string;
}

/** Words from a property name: `maxConnectionsPerSource` → "Max connections per source", `timeoutMs` → "Timeout (ms)". */
export function label(key: string): string {
  const ms = key.endsWith('Ms');
  const words = (ms ? key.slice(0, -2) : key).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return ms ? `${text} (ms)` : text;
}

/** A DOM id for a JSON pointer (ids may not hold `/`). */
export const fieldId = (path: string) => `f${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;

const choices = (s: Schema): unknown[] | undefined =>
  s.enum ?? (s.anyOf?.every((a) => 'const' in a) ? s.anyOf.map((a) => a.const) : undefined);

/** A new value for a schema: its default, else the smallest value that has the right shape. */
export function initial(s: Schema): unknown {
  if (s.default !== undefined) return structuredClone(s.default);
  const c = choices(s);
  if (c) return c[0];
  if (s.type === 'object' && s.properties) {
    const o: Record<string, unknown> = {};
    for (const k of s.required ?? []) {
      const p = s.properties[k];
      if (p) o[k] = initial(p);
    }
    return o;
  }
  if (s.type === 'object') return {};
  if (s.type === 'array') return [];
  if (s.type === 'boolean') return false;
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 0;
  return '';
}

type Change = (path: string, value: unknown) => void;
interface Ctx {
  problems: readonly Problem[];
  change: Change;
  disabled: boolean;
}

function fieldProblems(ctx: Ctx, path: string) {
  const mine = ctx.problems.filter((p) => p.path === path);
  if (mine.length === 0) return null;
  return html`<p class="field-error" id=${`${fieldId(path)}-err`}>${mine.map((p) => p.message).join('; ')}</p>`;
}

function describedBy(ctx: Ctx, path: string, s: Schema) {
  const ids = [
    s.description ? `${fieldId(path)}-hint` : '',
    ctx.problems.some((p) => p.path === path) ? `${fieldId(path)}-err` : '',
  ].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

const hint = (path: string, s: Schema) =>
  s.description ? html`<span class="hint" id=${`${fieldId(path)}-hint`}>${s.description}</span>` : null;

/** Numbers stay numbers when they parse; anything else is sent as typed, for the API to name. */
function numberFrom(text: string): unknown {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

function scalarList(key: string, path: string, s: Schema, value: unknown, ctx: Ctx) {
  const item = s.items ?? {};
  const numeric = item.type === 'integer' || item.type === 'number';
  const text = Array.isArray(value) ? value.map(String).join('\n') : '';
  const onInput = (e: Event) => {
    const lines = (e.currentTarget as HTMLTextAreaElement).value.split(/\n|,/).map((l) => l.trim());
    const list = lines.filter((l) => l !== '').map((l) => (numeric ? numberFrom(l) : l));
    ctx.change(path, list);
  };
  const id = fieldId(path);
  return html`<div class="field" key=${path}>
    <label for=${id}>${label(key)} <span class="hint">(one per line)</span></label>
    <textarea id=${id} rows=${Math.min(6, Math.max(2, (value as unknown[] | undefined)?.length ?? 0) + 1)}
      value=${text} disabled=${ctx.disabled} onChange=${onInput}
      aria-invalid=${ctx.problems.some((p) => p.path === path) ? 'true' : undefined}
      aria-describedby=${describedBy(ctx, path, s)}></textarea>
    ${hint(path, s)} ${fieldProblems(ctx, path)}
  </div>`;
}

function scalar(key: string, path: string, s: Schema, value: unknown, ctx: Ctx) {
  const id = fieldId(path);
  const invalid = ctx.problems.some((p) => p.path === path) ? 'true' : undefined;
  const aria = describedBy(ctx, path, s);
  if (s.type === 'boolean') {
    return html`<div class="field check" key=${path}>
      <input type="checkbox" id=${id} checked=${value === true} disabled=${ctx.disabled}
        aria-invalid=${invalid} aria-describedby=${aria}
        onChange=${(e: Event) => ctx.change(path, (e.currentTarget as HTMLInputElement).checked)} />
      <label for=${id}>${label(key)}</label> ${hint(path, s)} ${fieldProblems(ctx, path)}
    </div>`;
  }
  const c = choices(s);
  let input: unknown;
  if (c) {
    input = html`<select id=${id} disabled=${ctx.disabled} aria-invalid=${invalid} aria-describedby=${aria}
      onChange=${(e: Event) => {
        const i = (e.currentTarget as HTMLSelectElement).selectedIndex;
        ctx.change(path, c[i]);
      }}>
      ${c.map((v) => html`<option key=${String(v)} selected=${v === value}>${String(v)}</option>`)}
    </select>`;
  } else if (s.type === 'integer' || s.type === 'number') {
    input = html`<input type="number" id=${id} value=${value === undefined ? '' : String(value)}
      min=${s.minimum} max=${s.maximum} step=${s.type === 'integer' ? 1 : 'any'} disabled=${ctx.disabled}
      aria-invalid=${invalid} aria-describedby=${aria}
      onChange=${(e: Event) => ctx.change(path, numberFrom((e.currentTarget as HTMLInputElement).value))} />`;
  } else {
    input = html`<input type="text" id=${id} value=${typeof value === 'string' ? value : ''}
      maxlength=${s.maxLength} disabled=${ctx.disabled} aria-invalid=${invalid} aria-describedby=${aria}
      onInput=${(e: Event) => ctx.change(path, (e.currentTarget as HTMLInputElement).value)} />`;
  }
  return html`<div class="field" key=${path}>
    <label for=${id}>${label(key)}</label> ${input} ${hint(path, s)} ${fieldProblems(ctx, path)}
  </div>`;
}

function objectList(key: string, path: string, s: Schema, value: unknown, ctx: Ctx) {
  const list = Array.isArray(value) ? value : [];
  const item = s.items ?? {};
  const name = (v: unknown, i: number) => {
    const n = (v as { name?: unknown }).name;
    return typeof n === 'string' && n !== '' ? n : `${label(key)} ${i + 1}`;
  };
  return html`<fieldset class="group" key=${path}><legend>${label(key)}</legend>
    ${fieldProblems(ctx, path)}
    ${list.map(
      (v, i) => html`<div class="item" key=${`${path}/${i}`}>
        ${node(name(v, i), `${path}/${i}`, item, v, ctx)}
        <button type="button" class="secondary" disabled=${ctx.disabled}
          onClick=${() =>
            ctx.change(
              path,
              list.filter((_, j) => j !== i),
            )}>Remove ${name(v, i)}</button>
      </div>`,
    )}
    <button type="button" disabled=${ctx.disabled} onClick=${() => ctx.change(path, [...list, initial(item)])}>
      Add ${label(key).replace(/s$/, '').toLowerCase()}</button>
  </fieldset>`;
}

function record(key: string, path: string, s: Schema, value: unknown, ctx: Ctx) {
  const entries = Object.entries((value as Record<string, unknown> | undefined) ?? {});
  const item = Object.values(s.patternProperties ?? {})[0] ?? {};
  const rename = (from: string, to: string) =>
    ctx.change(path, Object.fromEntries(entries.map(([k, v]) => [k === from ? to : k, v])));
  const fresh = () => {
    let n = entries.length + 1;
    while (entries.some(([k]) => k === `NEW${n}`)) n++;
    return `NEW${n}`;
  };
  return html`<fieldset class="group" key=${path}><legend>${label(key)}</legend>
    ${hint(path, s)} ${fieldProblems(ctx, path)}
    ${entries.map(([k, v], i) => {
      const keyId = `${fieldId(path)}-key-${i}`;
      return html`<div class="item" key=${`${path}#${i}`}>
        <div class="field"><label for=${keyId}>Name</label>
          <input type="text" id=${keyId} value=${k} disabled=${ctx.disabled}
            onChange=${(e: Event) => rename(k, (e.currentTarget as HTMLInputElement).value)} /></div>
        ${node(k, `${path}/${k}`, item, v, ctx)}
        <button type="button" class="secondary" disabled=${ctx.disabled}
          onClick=${() => ctx.change(path, Object.fromEntries(entries.filter(([x]) => x !== k)))}>Remove ${k}</button>
      </div>`;
    })}
    <button type="button" disabled=${ctx.disabled}
      onClick=${() => ctx.change(path, { ...Object.fromEntries(entries), [fresh()]: initial(item) })}>Add</button>
  </fieldset>`;
}

function node(key: string, path: string, s: Schema, value: unknown, ctx: Ctx): unknown {
  if (s.type === 'object' && s.properties) {
    const o = (value as Record<string, unknown> | undefined) ?? {};
    return html`<fieldset class="group" key=${path}><legend>${label(key)}</legend>
      ${hint(path, s)} ${fieldProblems(ctx, path)}
      ${Object.entries(s.properties).map(([k, p]) => node(k, `${path}/${k}`, p, o[k], ctx))}
    </fieldset>`;
  }
  if (s.type === 'object') return record(key, path, s, value, ctx);
  if (s.type === 'array' && s.items?.type === 'object') return objectList(key, path, s, value, ctx);
  if (s.type === 'array') return scalarList(key, path, s, value, ctx);
  return scalar(key, path, s, value, ctx);
}

/** The fields of `schema` (an object schema) for `value`, rooted at JSON pointer `root`. */
export function SchemaFields(props: {
  root: string;
  schema: Schema;
  value: Record<string, unknown>;
  problems: readonly Problem[];
  disabled: boolean;
  onChange: Change;
}) {
  const ctx: Ctx = { problems: props.problems, change: props.onChange, disabled: props.disabled };
  const s = props.schema;
  if (s.type === 'object' && !s.properties) return record('Entries', props.root, s, props.value, ctx);
  return html`${Object.entries(s.properties ?? {}).map(([k, p]) =>
    node(k, `${props.root}/${k}`, p, props.value[k], ctx),
  )}`;
}

/** `value` with the value at JSON pointer `path` (relative, `/a/0/b`) replaced; `undefined` removes it. */
export function setAt(value: unknown, path: string, next: unknown): unknown {
  if (path === '') return next;
  const [head = '', ...rest] = path.slice(1).split('/');
  const tail = rest.length > 0 ? `/${rest.join('/')}` : '';
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(head)] = setAt(copy[Number(head)], tail, next);
    return copy;
  }
  const o = { ...((value as Record<string, unknown> | undefined) ?? {}) };
  const inner = setAt(o[head], tail, next);
  if (inner === undefined) delete o[head];
  else o[head] = inner;
  return o;
}
