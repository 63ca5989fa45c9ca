/**
 * Change my password (PRODUCT S2, S5), from the user menu, for every role:
 * the current password, the new one with the rules checked as it is typed,
 * typed twice. The change ends the account's other sessions; this one gets a
 * new session.
 */
import { useState } from 'preact/hooks';
import { ApiError, type Me, sendJson } from '../api.js';
import { html } from '../html.js';
import { PasswordField } from '../password-field.js';

export function ChangePassword({ me }: { me: Me | undefined }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [acceptable, setAcceptable] = useState(false);
  const [again, setAgain] = useState('');
  const [note, setNote] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await sendJson('POST', '/api/v1/auth/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setAgain('');
      setNote({ ok: true, text: 'Password changed. Your other sessions were ended.' });
    } catch (err) {
      const text =
        err instanceof ApiError && err.details.length > 0
          ? err.details.map((d) => d.message).join('; ')
          : (err as Error).message;
      setNote({ ok: false, text: `Not changed: ${text}` });
    }
  };
  const mismatch = again !== '' && again !== next;
  return html`<h1>Change my password</h1>
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="password-note">${note.text}</p>` : null}
    <form class="card" id="change-password" onSubmit=${submit}>
      <p>Account <strong>${me?.name ?? ''}</strong>.</p>
      <div class="field"><label for="current-password">Current password</label>
        <input type="password" id="current-password" autocomplete="current-password" value=${current}
          onInput=${(e: Event) => setCurrent((e.currentTarget as HTMLInputElement).value)} /></div>
      <${PasswordField} id="new-password" label="New password" value=${next}
        onInput=${(v: string, ok: boolean) => {
          setNext(v);
          setAcceptable(ok);
        }} />
      <div class="field"><label for="new-password-again">New password again</label>
        <input type="password" id="new-password-again" autocomplete="new-password" value=${again}
          aria-describedby=${mismatch ? 'again-err' : undefined}
          onInput=${(e: Event) => setAgain((e.currentTarget as HTMLInputElement).value)} />
        ${mismatch ? html`<p class="field-error" id="again-err">The two new passwords differ.</p>` : null}</div>
      <button type="submit" id="change-password-submit" disabled=${current === '' || !acceptable || again !== next}>Change password</button>
    </form>`;
}
