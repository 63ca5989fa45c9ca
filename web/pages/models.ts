/**
 * Settings → Device models (PRODUCT L1): the built-in and custom models, the
 * import of a custom model (a JSON file or pasted text, templates/schema.json)
 * with the validator's problems listed by path, replacement of a custom model,
 * and deletion of one no device uses (the API refuses otherwise, and says
 * which devices use it).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Me, sendJson } from '../api.js';
import { html } from '../html.js';

interface Summary {
  id: string;
  name: string;
  family: string;
  source: string;
  builtIn: boolean;
  measurements: number;
  references: string[];
  periodSeconds?: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : 'something went wrong');

export function ModelsSettings({ me }: { me: Me | undefined }) {
  const [models, setModels] = useState<Summary[] | undefined>(undefined);
  const [text, setText] = useState('');
  const [replace, setReplace] = useState(false);
  const [problems, setProblems] = useState<{ path: string; message: string }[]>([]);
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const admin = me?.role === 'admin';
  useEffect(() => {
    let live = true;
    getJson<Summary[]>('/api/v1/models')
      .then((m) => live && setModels(m))
      .catch((e) => live && setNote({ ok: false, text: message(e) }));
    return () => {
      live = false;
    };
  }, [tick]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblems([]);
    try {
      const s = await sendJson<Summary>('POST', '/api/v1/models', { model: text, replace });
      setNote({ ok: true, text: `Model ${s.id} imported (${s.measurements} measurements).` });
      setText('');
      setTick((n) => n + 1);
    } catch (err) {
      setProblems(err instanceof ApiError ? err.details : []);
      setNote({ ok: false, text: `Not imported: ${message(err)}` });
    }
  };
  const remove = async (id: string) => {
    try {
      await sendJson('DELETE', `/api/v1/models/${id}`);
      setNote({ ok: true, text: `Model ${id} deleted.` });
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
    setTick((n) => n + 1);
  };
  const read = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  };
  if (!models) return html`<h1>Device models</h1><p>Loading…</p>`;
  return html`<h1>Device models</h1>
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="models-note">${note.text}</p>` : null}
    ${
      problems.length > 0
        ? html`<div class="error problems" id="model-problems"><ul>${problems.map(
            (p) => html`<li key=${p.path + p.message}><code>${p.path}</code>: ${p.message}</li>`,
          )}</ul></div>`
        : null
    }
    <section class="card" aria-labelledby="models-h">
      <h2 id="models-h">Models (${models.length})</h2>
      <div class="scroll" tabindex="0" role="region" aria-label="Models table"><table class="values" id="models">
        <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Family</th><th scope="col" class="num">Measurements</th>
          <th scope="col">Source</th>${admin ? html`<th scope="col">Actions</th>` : null}</tr></thead>
        <tbody>${models.map(
          (m) => html`<tr key=${m.id} data-model=${m.id}>
            <th scope="row">${m.name}</th><td><code>${m.id}</code></td><td>${m.family}</td><td class="num">${m.measurements}</td>
            <td>${m.builtIn ? 'built-in' : 'custom'}</td>
            ${admin ? html`<td>${m.builtIn ? '—' : html`<button type="button" class="secondary" id=${`delete-model-${m.id}`} onClick=${() => void remove(m.id)}>Delete</button>`}</td>` : null}
          </tr>`,
        )}</tbody>
      </table></div>
    </section>
    ${
      admin
        ? html`<form class="card" id="import-model" onSubmit=${submit} aria-labelledby="import-h">
            <h2 id="import-h">Import a custom model</h2>
            <p>A register map as JSON (format: docs/device-models.md, schema: templates/schema.json).</p>
            <div class="field"><label for="model-text">Model (JSON)</label>
              <textarea id="model-text" rows="8" spellcheck="false" value=${text}
                onInput=${(e: Event) => setText((e.currentTarget as HTMLTextAreaElement).value)}></textarea>
              <label for="model-file" class="hint">or read it from a file</label>
              <input type="file" id="model-file" accept=".json,application/json" onChange=${read} /></div>
            <div class="field check"><input type="checkbox" id="model-replace" checked=${replace}
              onChange=${(e: Event) => setReplace((e.currentTarget as HTMLInputElement).checked)} />
              <label for="model-replace">Replace the custom model with the same id</label></div>
            <button type="submit" id="import-submit" disabled=${text.trim() === ''}>Import</button>
          </form>`
        : null
    }`;
}
