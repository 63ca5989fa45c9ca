/**
 * Settings → API tokens (PRODUCT S11): the tokens with their role, who made
 * them, expiry and last use; create one (the secret is shown once, here, and
 * never again); revoke one (its name stays reserved). Admins only, from a
 * session (the API refuses token management by token).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Me, sendJson } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';

interface Token {
  name: string;
  role: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const ROLES = ['viewer', 'operator', 'support', 'admin'] as const;
const VALIDITY = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: 730, label: '2 years' },
] as const;

const state = (t: Token) =>
  t.revokedAt !== null ? 'revoked' : Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active';

export function TokensSettings({ me }: { me: Me | undefined }) {
  const [tokens, setTokens] = useState<Token[] | undefined>(undefined);
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [secret, setSecret] = useState<{ name: string; token: string } | undefined>(undefined);
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [days, setDays] = useState(90);
  const reload = () =>
    getJson<Token[]>('/api/v1/tokens')
      .then(setTokens)
      .catch((e: Error) => setNote({ ok: false, text: e.message }));
  useEffect(() => {
    if (me?.role === 'admin') void reload();
  }, [me?.role]);
  if (me && me.role !== 'admin') return html`<h1>API tokens</h1><p>API tokens are managed by admins.</p>`;

  const create = async (e: Event) => {
    e.preventDefault();
    const expiresAt = new Date(Date.now() + days * 86_400_000).toISOString();
    try {
      const r = await sendJson<{ name: string; token: string }>('POST', '/api/v1/tokens', {
        name,
        role,
        expiresAt,
      });
      setSecret(r);
      setNote({ ok: true, text: `Token ${r.name} created.` });
      setName('');
    } catch (err) {
      setNote({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    }
    void reload();
  };
  const revoke = async (t: Token) => {
    try {
      await sendJson('DELETE', `/api/v1/tokens/${encodeURIComponent(t.name)}`);
      setNote({ ok: true, text: `Token ${t.name} revoked.` });
    } catch (err) {
      setNote({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    }
    void reload();
  };

  return html`<h1>API tokens</h1>
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="settings-note">${note.text}</p>` : null}
    ${
      secret
        ? html`<section class="card" aria-labelledby="secret-h"><h2 id="secret-h">New token ${secret.name}</h2>
            <p>Copy it now: it is shown this once and never again. Send it as <code>Authorization: Bearer …</code>.</p>
            <p><output id="new-token" class="secret">${secret.token}</output></p></section>`
        : null
    }
    <section class="card" aria-labelledby="create-h">
      <h2 id="create-h">Create a token</h2>
      <form onSubmit=${create} class="form-row">
        <label>Name <input id="token-name" required maxlength="64" value=${name}
          onInput=${(e: Event) => setName((e.currentTarget as HTMLInputElement).value)} /></label>
        <label>Role <select id="token-role" value=${role} onChange=${(e: Event) => setRole((e.currentTarget as HTMLSelectElement).value)}>
          ${ROLES.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}</select></label>
        <label>Valid for <select id="token-days" value=${String(days)} onChange=${(e: Event) => setDays(Number((e.currentTarget as HTMLSelectElement).value))}>
          ${VALIDITY.map((v) => html`<option key=${v.days} value=${String(v.days)}>${v.label}</option>`)}</select></label>
        <button type="submit" id="create-token">Create</button>
      </form>
    </section>
    <section class="card" aria-labelledby="list-h">
      <h2 id="list-h">Tokens (${tokens?.length ?? 0})</h2>
      <div class="scroll" tabindex="0" role="region" aria-label="Tokens table"><table class="values" id="tokens">
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Expires</th>
          <th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
        <tbody>${(tokens ?? []).map(
          (t) => html`<tr key=${t.name} data-token=${t.name} data-state=${state(t)}>
            <th scope="row">${t.name}</th><td>${t.role}</td><td>${formatTime(t.createdAt)} by ${t.createdBy}</td>
            <td>${formatTime(t.expiresAt)}</td><td>${formatTime(t.lastUsedAt)}</td><td>${state(t)}</td>
            <td>${state(t) === 'active' ? html`<button type="button" class="secondary" onClick=${() => void revoke(t)}>Revoke ${t.name}</button>` : null}</td>
          </tr>`,
        )}</tbody>
      </table></div>
    </section>`;
}
