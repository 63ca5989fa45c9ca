/**
 * One configuration section (or a part of it) as a settings page: drawn from
 * the configuration's JSON Schema, each change checked by the API's dry run
 * (PUT /api/v1/config/<section>?dryRun=true — the very validation a save runs,
 * cross-field rules included) with the problems shown beside their fields,
 * and saved whole or not at all (PUT /api/v1/config/<section>, audited with
 * who made it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, type Me, sendJson } from '../api.js';
import { html } from '../html.js';
import { fieldId, type Problem, type Schema, SchemaFields, setAt } from '../schema-form.js';

interface SectionValue {
  revision: number;
  value: Record<string, unknown>;
}

let schemaOnce: Promise<Schema> | undefined;
const configSchema = () => {
  schemaOnce ??= getJson<Schema>('/api/v1/config/schema').catch((e) => {
    schemaOnce = undefined;
    throw e;
  });
  return schemaOnce;
};

const detailsOf = (e: unknown): Problem[] => {
  if (e instanceof ApiError) return e.details.length > 0 ? e.details : [{ path: '/', message: e.message }];
  return [{ path: '/', message: e instanceof Error ? e.message : 'something went wrong' }];
};

const DRY_RUN_MS = 300;

export function ConfigSection(props: {
  me: Me | undefined;
  title: string;
  section: string;
  /** Only this property of the section is shown (the rest is kept as stored). */
  pick?: string;
  intro?: string;
}) {
  const { section, pick } = props;
  const [schema, setSchema] = useState<Schema | undefined>(undefined);
  const [saved, setSaved] = useState<SectionValue | undefined>(undefined);
  const [draft, setDraft] = useState<Record<string, unknown>>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const generation = useRef(0);
  // Known not to be an admin (before `me` arrives the page loads; the API refuses a non-admin anyway).
  const denied = props.me !== undefined && props.me.role !== 'admin';

  useEffect(() => {
    if (denied) return;
    let live = true;
    Promise.all([configSchema(), getJson<SectionValue>(`/api/v1/config/${section}`)])
      .then(([s, v]) => {
        if (!live) return;
        setSchema(s.properties?.[section]);
        setSaved(v);
        setDraft(v.value);
        setProblems([]);
      })
      .catch((e) => live && setNote({ ok: false, text: detailsOf(e)[0]?.message ?? '' }));
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
  }, [section, denied]);

  if (denied)
    return html`<h1>${props.title}</h1><p>Only an administrator can see and change these settings.</p>`;
  if (!schema || !saved)
    return html`<h1>${props.title}</h1>${note ? html`<p class="error" role="alert">${note.text}</p>` : html`<p>Loading…</p>`}`;

  const check = (next: Record<string, unknown>) => {
    clearTimeout(timer.current);
    const mine = ++generation.current;
    timer.current = setTimeout(() => {
      sendJson('PUT', `/api/v1/config/${section}?dryRun=true`, next)
        .then(() => mine === generation.current && setProblems([]))
        .catch((e) => mine === generation.current && setProblems(detailsOf(e)));
    }, DRY_RUN_MS);
  };
  const change = (path: string, value: unknown) => {
    const next = setAt(draft, path.slice(`/${section}`.length), value) as Record<string, unknown>;
    setDraft(next);
    setNote(undefined);
    check(next);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    clearTimeout(timer.current);
    generation.current++;
    setBusy(true);
    try {
      const stored = await sendJson<SectionValue>('PUT', `/api/v1/config/${section}`, draft);
      setSaved(stored);
      setDraft(stored.value);
      setProblems([]);
      setNote({ ok: true, text: `Saved (configuration revision ${stored.revision}).` });
    } catch (err) {
      setProblems(detailsOf(err));
      setNote({ ok: false, text: 'Not saved: nothing was changed. Correct the fields marked below.' });
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    generation.current++;
    setDraft(saved.value);
    setProblems([]);
    setNote(undefined);
  };

  const root = pick ? `/${section}/${pick}` : `/${section}`;
  const shown = pick ? (schema.properties?.[pick] ?? {}) : schema;
  const shownValue = (pick ? draft[pick] : draft) as Record<string, unknown>;
  const fields =
    pick && shown.type === 'array'
      ? html`<${SchemaFields} root=${`/${section}`} schema=${{ type: 'object', properties: { [pick]: shown } }}
          value=${draft} problems=${problems} disabled=${busy} onChange=${change} />`
      : html`<${SchemaFields} root=${root} schema=${shown} value=${shownValue ?? {}} problems=${problems}
          disabled=${busy} onChange=${change} />`;
  const changed = JSON.stringify(draft) !== JSON.stringify(saved.value);
  return html`<h1>${props.title}</h1>
    ${props.intro ? html`<p>${props.intro}</p>` : null}
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="config-note">${note.text}</p>` : null}
    ${
      problems.length > 0
        ? html`<div class="error problems" role="alert" id="problems"><p>${problems.length} problem(s):</p><ul>
            ${problems.map(
              (p) =>
                html`<li key=${p.path + p.message}><a href=${`#${fieldId(p.path)}`}>${p.path}</a>: ${p.message}</li>`,
            )}</ul></div>`
        : null
    }
    <form class="card config-form" id="config-form" onSubmit=${save} novalidate>
      ${fields}
      <div class="actions">
        <button type="submit" id="config-save" disabled=${busy || !changed}>Save</button>
        <button type="button" class="secondary" id="config-reset" disabled=${busy || !changed} onClick=${reset}>Undo changes</button>
      </div>
    </form>`;
}
