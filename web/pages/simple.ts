/** Home, the pages later issues fill (Trending, Alarms, Settings), and "not found". */
import type { Me } from '../api.js';
import { html } from '../html.js';
import { link, NAV } from '../shell.js';

export function Home({ me }: { me: Me | undefined }) {
  return html`<h1>Home</h1>
    <p>The energy overview (consumption by usage and zone, comparisons) comes with the trending pages.</p>
    <ul class="tiles">
      <li><a href="/monitoring" onClick=${link}>Monitoring: live values of every device</a></li>
      ${
        me && (me.role === 'admin' || me.role === 'support')
          ? html`<li><a href="/maintenance/logs" onClick=${link}>Logs: the audit log</a></li>`
          : null
      }
    </ul>`;
}

export function Later({ title, what }: { title: string; what: string }) {
  return html`<h1>${title}</h1>
    <p class="later">${what} This page comes in a later release; the JSON API (<a href="/api/v1/openapi.json">OpenAPI</a>) already serves what exists.</p>`;
}

export function NotFound({ path }: { path: string }) {
  return html`<h1>Page not found</h1>
    <p>There is no page at <code>${path}</code>. Choose one of these:</p>
    <ul>${NAV.map((n) => html`<li key=${n.href}><a href=${n.href} onClick=${link}>${n.label}</a></li>`)}</ul>`;
}
