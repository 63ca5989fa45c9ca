/**
 * The frame of every page: header (installation name, date and time with the
 * time zone, service status menu, user menu), navigation, and the page.
 * Menus are <details> elements: keyboard and screen readers work unaided.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Me } from './api.js';
import { localDateTime, timeZone } from './format.js';
import { html } from './html.js';
import { navigate } from './router.js';
import { type Level, type ServiceRow, worst } from './status.js';

export const NAV = [
  { href: '/', label: 'Home' },
  { href: '/monitoring', label: 'Monitoring' },
  { href: '/trending', label: 'Trending' },
  { href: '/alarms', label: 'Alarms' },
  { href: '/settings', label: 'Settings' },
  { href: '/maintenance', label: 'Maintenance' },
] as const;

const LEVEL_TEXT: Record<Level, string> = { ok: 'OK', warn: 'Attention', fault: 'Fault', off: 'Off' };

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  const zone = timeZone();
  return html`<time id="clock" datetime=${now.toISOString()}>
    ${localDateTime(now)} <span class="zone">${zone}</span>
  </time>`;
}

function StatusMenu({ rows }: { rows: readonly ServiceRow[] }) {
  const all = worst(rows);
  return html`<details class="menu status-menu" id="status-menu">
    <summary><span class=${`dot ${all}`} aria-hidden="true"></span> Services: ${LEVEL_TEXT[all]}</summary>
    <ul>
      ${rows.map(
        (r) => html`<li key=${r.name}>
          <a href=${r.href} onClick=${link}><span class=${`dot ${r.level}`} aria-hidden="true"></span>
          <strong>${r.name}</strong> <span class="level">${LEVEL_TEXT[r.level]}</span>
          <span class="reason">${r.reason}</span></a>
        </li>`,
      )}
    </ul>
  </details>`;
}

function UserMenu({ me }: { me: Me }) {
  return html`<details class="menu user-menu">
    <summary>${me.name}</summary>
    <div class="menu-body">
      <p id="whoami">Logged in as <strong>${me.name}</strong> (${me.role}).</p>
      <p><a href="/settings/password" onClick=${link} id="change-password-link">Change my password</a></p>
      <form method="post" action="/logout"><button type="submit" id="logout">Log out</button></form>
    </div>
  </details>`;
}

/** Same-origin links move within the application without a reload. */
export function link(e: MouseEvent): void {
  const a = e.currentTarget as HTMLAnchorElement;
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.hasAttribute('download')) return;
  if (a.origin !== location.origin || a.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
  (a.closest('details') as HTMLDetailsElement | null)?.removeAttribute('open');
}

export function Shell(props: {
  path: string;
  me: Me | undefined;
  systemName: string;
  rows: readonly ServiceRow[];
  children: ComponentChildren;
}) {
  const section = `/${props.path.split('/')[1] ?? ''}`;
  return html`<div class="frame">
    <header class="top">
      <a class="brand" href="/" onClick=${link}>${props.systemName}</a>
      <${Clock} />
      <${StatusMenu} rows=${props.rows} />
      ${props.me ? html`<${UserMenu} me=${props.me} />` : null}
    </header>
    <nav aria-label="Main">
      <ul>
        ${NAV.map(
          (n) => html`<li key=${n.href}>
            <a href=${n.href} onClick=${link} aria-current=${section === n.href ? 'page' : undefined}>${n.label}</a>
          </li>`,
        )}
      </ul>
    </nav>
    <main id="main">${props.children}</main>
  </div>`;
}
