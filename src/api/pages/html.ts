/**
 * Server-rendered HTML for the plain pages (login, first start). No script at all, no inline style: one stylesheet from /assets, so
 * the strict CSP holds. Every interpolated value goes through `esc`.
 */

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Wattgate</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css"></head>
<body><main><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

export function messageBox(message: string | undefined): string {
  return message ? `<p class="error" role="alert" id="message">${esc(message)}</p>` : '';
}

export function loginForm(next: string, message?: string, name = ''): string {
  return page(
    'Log in',
    `${messageBox(message)}
<form method="post" action="/login">
<input type="hidden" name="next" value="${esc(next)}">
<label>Account <input name="name" id="name" autocomplete="username" value="${esc(name)}" required></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label>
<button type="submit" id="login">Log in</button>
</form>
<p><a href="/first-start">First start: set the admin password</a></p>`,
  );
}

export function firstStartForm(message?: string): string {
  return page(
    'First start',
    `${messageBox(message)}
<p>Enter the device code shown on the console at first start (also in the file
<code>device-code</code> of the data directory) and choose the admin password.</p>
<form method="post" action="/first-start">
<label>Device code <input name="deviceCode" id="deviceCode" autocomplete="off" required></label>
<label>New admin password <input name="password" id="password" type="password" autocomplete="new-password" required></label>
<button type="submit" id="set">Set password</button>
</form>`,
  );
}

export const APP_CSS = `body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
main{max-width:32rem}label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem}
button{margin-top:1rem;padding:.5rem 1.25rem}.error{color:#a00;font-weight:600}`;
