/**
 * Settings → Users and roles (PRODUCT S1, S13): the accounts with their role
 * and lock, create an account (the password rules checked as it is typed),
 * change a role, unlock, delete (asked twice). The built-in accounts keep
 * their roles, and nobody changes their own account here: the API refuses
 * both, the page does not offer them.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Me, sendJson } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';
import { PasswordField } from '../password-field.js';
import { useActions } from '../use-actions.js';

interface Account {
  name: string;
  role: string;
  builtin: boolean;
  hasPassword: boolean;
  lockedUntil: string | null;
}

const ROLES = ['admin', 'operator', 'viewer'] as const;
const ROLE_TEXT: Record<string, string> = {
  admin: 'everything',
  operator: 'monitoring and acknowledging alarms, no settings',
  viewer: 'read only',
  support: 'read, diagnostics and logs (built-in)',
};

const message = (e: unknown) => (e instanceof Error ? e.message : 'something went wrong');

function CreateForm({ done }: { done: (name: string) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [password, setPassword] = useState('');
  const [acceptable, setAcceptable] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await sendJson('POST', '/api/v1/accounts', { name, role, password });
      setName('');
      setPassword('');
      setError(undefined);
      done(name);
    } catch (err) {
      setError(
        err instanceof ApiError && err.details.length > 0
          ? err.details.map((d) => d.message).join('; ')
          : message(err),
      );
    }
  };
  return html`<form class="card" id="create-account" onSubmit=${submit} aria-labelledby="create-h">
    <h2 id="create-h">New account</h2>
    ${error ? html`<p class="error" role="alert" id="create-error">${error}</p>` : null}
    <div class="field"><label for="account-name">Name</label>
      <input id="account-name" autocomplete="off" value=${name} maxlength="32" required
        onInput=${(e: Event) => setName((e.currentTarget as HTMLInputElement).value)} />
      <span class="hint">Letters, digits, <code>. _ -</code>; starts with a letter; up to 32.</span></div>
    <div class="field"><label for="account-role">Role</label>
      <select id="account-role" onChange=${(e: Event) => setRole((e.currentTarget as HTMLSelectElement).value)}>
        ${ROLES.map((r) => html`<option key=${r} value=${r} selected=${r === role}>${r}: ${ROLE_TEXT[r]}</option>`)}
      </select></div>
    <${PasswordField} id="account-password" label="Password" value=${password} account=${name || undefined}
      onInput=${(v: string, ok: boolean) => {
        setPassword(v);
        setAcceptable(ok);
      }} />
    <button type="submit" id="create-account-submit" disabled=${name === '' || !acceptable}>Create account</button>
  </form>`;
}

export function UsersSettings({ me }: { me: Me | undefined }) {
  const [accounts, setAccounts] = useState<Account[] | undefined>(undefined);
  const { note, setNote, confirm, setConfirm, tick, reload, act } = useActions();
  const admin = me?.role === 'admin';
  useEffect(() => {
    if (!admin) return;
    let live = true;
    getJson<Account[]>('/api/v1/accounts')
      .then((a) => live && setAccounts(a))
      .catch((e) => live && setNote({ ok: false, text: message(e) }));
    return () => {
      live = false;
    };
  }, [tick, admin]);
  if (me && !admin) return html`<h1>Users and roles</h1><p>Only an administrator can manage accounts.</p>`;
  if (!accounts) return html`<h1>Users and roles</h1><p>Loading…</p>`;

  const setRole = (a: Account, role: string) =>
    act(`${a.name} is now ${role}.`, () => sendJson('PATCH', `/api/v1/accounts/${a.name}`, { role }));
  const remove = (a: Account) =>
    act(`${a.name} deleted.`, () => sendJson('DELETE', `/api/v1/accounts/${a.name}`));
  const unlock = (a: Account) =>
    act(`${a.name} unlocked.`, () => sendJson('POST', `/api/v1/accounts/${a.name}/unlock`));
  const fixed = (a: Account) => a.builtin || a.name === me?.name;

  return html`<h1>Users and roles</h1>
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="users-note">${note.text}</p>` : null}
    <section class="card" aria-labelledby="accounts-h">
      <h2 id="accounts-h">Accounts (${accounts.length})</h2>
      <div class="scroll" tabindex="0" role="region" aria-label="Accounts table"><table class="values" id="accounts">
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Locked until</th><th scope="col">Actions</th></tr></thead>
        <tbody>${accounts.map(
          (a) => html`<tr key=${a.name} data-account=${a.name}>
            <th scope="row">${a.name}${a.builtin ? ' (built-in)' : ''}${a.name === me?.name ? ' (you)' : ''}</th>
            <td>${
              fixed(a)
                ? html`<span data-role=${a.role}>${a.role}</span>`
                : html`<label class="sr-only" for=${`role-${a.name}`}>Role of ${a.name}</label>
                  <select id=${`role-${a.name}`} data-role=${a.role}
                    onChange=${(e: Event) => void setRole(a, (e.currentTarget as HTMLSelectElement).value)}>
                    ${ROLES.map((r) => html`<option key=${r} value=${r} selected=${r === a.role}>${r}</option>`)}
                  </select>`
            }</td>
            <td>${a.lockedUntil ? formatTime(a.lockedUntil) : '—'}</td>
            <td class="actions">
              ${a.lockedUntil ? html`<button type="button" class="secondary" onClick=${() => void unlock(a)}>Unlock</button>` : null}
              ${
                fixed(a)
                  ? null
                  : confirm === a.name
                    ? html`<button type="button" class="danger" id=${`confirm-delete-${a.name}`} onClick=${() => void remove(a)}>Delete ${a.name} now</button>
                      <button type="button" class="secondary" onClick=${() => setConfirm(undefined)}>Keep</button>`
                    : html`<button type="button" class="secondary" id=${`delete-${a.name}`} onClick=${() => setConfirm(a.name)}>Delete</button>`
              }
            </td>
          </tr>`,
        )}</tbody>
      </table></div>
      <p class="hint">Roles: ${Object.entries(ROLE_TEXT)
        .map(([r, t]) => `${r} — ${t}`)
        .join('; ')}.</p>
    </section>
    <${CreateForm} done=${(name: string) => {
      setNote({ ok: true, text: `Account ${name} created.` });
      reload();
    }} />`;
}
