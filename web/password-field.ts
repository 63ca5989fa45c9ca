/**
 * A new-password field with the rules shown under it and checked as the user
 * types, by the server's own check (POST /api/v1/auth/password-check: the
 * same rules, blocklist included, that the change or the account creation
 * will apply). Each rule is marked met or not; nothing is stored or counted.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { sendJson } from './api.js';
import { html } from './html.js';

interface Check {
  rules: string[];
  problems: string[];
}

const CHECK_MS = 250;

export function PasswordField(props: {
  id: string;
  label: string;
  value: string;
  /** The account the password is for (default: the caller). */
  account?: string;
  onInput: (value: string, acceptable: boolean) => void;
}) {
  const [check, setCheck] = useState<Check | undefined>(undefined);
  const [failed, setFailed] = useState<string | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { value, account } = props;
  useEffect(() => {
    clearTimeout(timer.current);
    let live = true;
    timer.current = setTimeout(
      () =>
        void sendJson<Check>('POST', '/api/v1/auth/password-check', {
          password: value,
          ...(account ? { name: account } : {}),
        })
          .then((c) => {
            if (!live) return;
            setCheck(c);
            setFailed(undefined);
            props.onInput(value, value !== '' && c.problems.length === 0);
          })
          .catch(
            (e) =>
              live &&
              setFailed(`The rules could not be checked (${(e as Error).message}); type again to retry.`),
          ),
      value === '' ? 0 : CHECK_MS,
    );
    return () => {
      live = false;
      clearTimeout(timer.current);
    };
  }, [value, account]);
  const rulesId = `${props.id}-rules`;
  return html`<div class="field">
    <label for=${props.id}>${props.label}</label>
    <input type="password" id=${props.id} autocomplete="new-password" value=${value} aria-describedby=${rulesId}
      onInput=${(e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value, false)} />
    <ul class="rules" id=${rulesId} aria-live="polite">
      ${(check?.rules ?? []).map((r) => {
        const state = value === '' ? 'todo' : check?.problems.includes(r) ? 'no' : 'yes';
        return html`<li key=${r} class=${`rule ${state}`} data-rule=${state}>
          <span aria-hidden="true">${state === 'yes' ? '✓' : state === 'no' ? '✗' : '•'}</span>
          ${r.charAt(0).toUpperCase() + r.slice(1)}<span class="sr-only">${state === 'yes' ? ' (met)' : state === 'no' ? ' (not met)' : ''}</span></li>`;
      })}
    </ul>
    ${failed ? html`<p class="field-error" role="alert">${failed}</p>` : null}
    ${
      value !== '' && check && check.problems.length > 0
        ? html`<p class="field-error" id=${`${props.id}-err`}>Password ${check.problems.join('; ')}.</p>`
        : null
    }
  </div>`;
}
