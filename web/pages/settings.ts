/**
 * Settings: the index of settings pages, the Advanced index, and Wireless
 * devices (the radio switch through the `wireless` configuration section,
 * the paired and unknown devices, discovery with install codes as printed on
 * labels, remove, rebuild).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, type Me, sendJson } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';
import { installCodeProblem, parseInstallCodes } from '../install-codes.js';
import { link } from '../shell.js';
import { useActions } from '../use-actions.js';

const SECTIONS: readonly { href: string; title: string; what: string }[] = [
  {
    href: '/settings/devices',
    title: 'Modbus devices',
    what: 'TCP and serial devices, connection test, discovery, sampling period',
  },
  { href: '/settings/models', title: 'Device models', what: 'built-in register maps, import your own' },
  {
    href: '/settings/wireless',
    title: 'Wireless devices',
    what: 'radio on/off, paired devices, discovery with install codes',
  },
  {
    href: '/settings/serial-lines',
    title: 'Serial lines',
    what: 'RS-485 lines: speed, parity, timeouts, unit ids',
  },
  { href: '/settings/networks', title: 'Networks', what: 'the addresses Wattgate listens on' },
  {
    href: '/settings/modbus-service',
    title: 'Modbus service',
    what: 'Modbus TCP server per network, allow-lists, read-only units',
  },
  { href: '/settings/system', title: 'System', what: 'installation name, location, time zone' },
  { href: '/settings/users', title: 'Users and roles', what: 'accounts, roles, unlock' },
  { href: '/settings/tokens', title: 'API tokens', what: 'create (shown once), revoke' },
  { href: '/settings/certificate', title: 'Certificate', what: 'the HTTPS certificate: view, replace' },
  {
    href: '/settings/advanced',
    title: 'Advanced',
    what: 'data acquisition, history, audit log, web server, inputs',
  },
];

export function SettingsIndex() {
  return html`<h1>Settings</h1>
    <ul class="tiles">
      ${SECTIONS.map((s) => html`<li key=${s.href}><a href=${s.href} onClick=${link}>${s.title}</a>: ${s.what}</li>`)}
    </ul>`;
}

/** The sections without a page of their own, each drawn from the schema. */
export const ADVANCED: Readonly<Record<string, { title: string; intro: string }>> = {
  acquisition: { title: 'Data acquisition', intro: 'Limits, live polling and back-off of dead devices.' },
  history: { title: 'History', intro: 'Capacity of the history store, flushing, publication backlog.' },
  audit: { title: 'Audit log', intro: 'Capacity and retention of the audit log.' },
  web: { title: 'Web server', intro: 'HTTPS port, sessions and limits of the web server.' },
  inputs: { title: 'Inputs', intro: 'Digital and pulse inputs.' },
};

export function AdvancedIndex() {
  return html`<h1>Advanced settings</h1>
    <p>Every setting that a configuration import can change, section by section.</p>
    <ul class="tiles">
      ${Object.entries(ADVANCED).map(
        ([k, a]) =>
          html`<li key=${k}><a href=${`/settings/advanced/${k}`} onClick=${link}>${a.title}</a>: ${a.intro}</li>`,
      )}
    </ul>`;
}

interface RadioDevice {
  deviceId: number;
  rfId: string;
  name: string;
  model: string;
  virtualId: number | null;
  status: 'connected' | 'not-connected';
  lastSeen: string | null;
  rssi: number | null;
  lqi: number | null;
}
interface Overview {
  radioOn: boolean;
  permanentlyDisabled: boolean;
  discovery: { open: boolean; until: string | null };
  devices: RadioDevice[];
  unknown: { rfId: string; model: string | null; reason: string; lastSeen: string }[];
}
interface Section {
  value: Record<string, unknown>;
}

const message = (e: unknown) =>
  e instanceof ApiError ? e.message : e instanceof Error ? e.message : 'something went wrong';

export function WirelessSettings({ me }: { me: Me | undefined }) {
  const [o, setO] = useState<Overview | undefined>(undefined);
  const [codes, setCodes] = useState('');
  const { note, setNote, confirm, setConfirm, tick, reload, act } = useActions();
  const admin = me?.role === 'admin';
  useEffect(() => {
    let live = true;
    const load = () =>
      getJson<Overview>('/api/v1/wireless')
        .then((x) => live && setO(x))
        .catch((e) => live && setNote({ ok: false, text: message(e) }));
    void load();
    const t = setInterval(load, 3000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [tick]);

  const setRadio = async (on: boolean) => {
    try {
      const s = await getJson<Section>('/api/v1/config/wireless');
      await sendJson('PUT', '/api/v1/config/wireless', { ...s.value, enabled: on });
      setNote({ ok: true, text: on ? 'Wireless network switched on.' : 'Wireless network switched off.' });
    } catch (e) {
      setNote({ ok: false, text: message(e) });
    }
    reload();
  };

  const remove = (d: RadioDevice) =>
    act(`${d.name} removed from the network (its history stays).`, () =>
      sendJson('DELETE', `/api/v1/wireless/devices/${d.rfId}`),
    );
  const rebuild = () =>
    act('Network rebuilt: every device was forgotten and discovery is open.', () =>
      sendJson('POST', '/api/v1/wireless/rebuild'),
    );

  const discover = async (e: Event) => {
    e.preventDefault();
    const parsed = parseInstallCodes(codes);
    if (parsed.bad.length > 0) {
      setNote({ ok: false, text: parsed.bad.map(installCodeProblem).join('; ') });
      return;
    }
    try {
      const body = parsed.codes.length > 0 ? { installCodes: parsed.codes.map((code) => ({ code })) } : {};
      await sendJson('POST', '/api/v1/wireless/discovery', body);
      setNote({
        ok: true,
        text: `Discovery open${parsed.codes.length ? ` with ${parsed.codes.length} install code(s)` : ''}.`,
      });
      setCodes('');
    } catch (err) {
      setNote({ ok: false, text: message(err) });
    }
    reload();
  };

  if (!o) return html`<h1>Wireless devices</h1><p>Loading…</p>`;
  return html`<h1>Wireless devices</h1>
    ${note ? html`<p class=${note.ok ? 'ok-note' : 'error'} role=${note.ok ? 'status' : 'alert'} id="settings-note">${note.text}</p>` : null}
    <section class="card" aria-labelledby="radio-h">
      <h2 id="radio-h">Wireless network</h2>
      <label class="switch">
        <input type="checkbox" id="radio-on" checked=${o.radioOn}
          disabled=${!admin || o.permanentlyDisabled}
          onChange=${(e: Event) => void setRadio((e.currentTarget as HTMLInputElement).checked)} />
        Wireless network on
      </label>
      ${o.permanentlyDisabled ? html`<p>Permanently disabled: it cannot be switched on again.</p>` : null}
      <p>Discovery: ${o.discovery.open ? `open until ${formatTime(o.discovery.until)}` : 'closed'}.</p>
      ${
        admin && o.radioOn
          ? html`<form onSubmit=${discover} class="discovery">
              <label for="install-codes">Install codes (one per line, as printed on the labels; optional)</label>
              <textarea id="install-codes" rows="3" value=${codes}
                onInput=${(e: Event) => setCodes((e.currentTarget as HTMLTextAreaElement).value)}></textarea>
              <button type="submit" id="open-discovery">Open discovery</button>
            </form>`
          : null
      }
    </section>
    <section class="card" aria-labelledby="paired-h">
      <h2 id="paired-h">Paired devices (${o.devices.length})</h2>
      <div class="scroll" tabindex="0" role="region" aria-label="Paired devices table"><table class="values" id="paired">
        <thead><tr><th scope="col">Name</th><th scope="col">Model</th><th scope="col">RF id</th><th scope="col">Unit</th>
          <th scope="col">Status</th><th scope="col">Last heard</th><th scope="col" class="num">RSSI</th><th scope="col" class="num">LQI</th>
          ${admin ? html`<th scope="col">Actions</th>` : null}</tr></thead>
        <tbody>${o.devices.map(
          (d) => html`<tr key=${d.rfId} data-rfid=${d.rfId}>
            <th scope="row">${d.name}</th><td>${d.model}</td><td><code>${d.rfId}</code></td><td>${d.virtualId ?? '—'}</td>
            <td class=${`state ${d.status}`} data-state=${d.status}>${d.status === 'connected' ? 'Connected' : 'Not connected'}</td>
            <td>${formatTime(d.lastSeen)}</td><td class="num">${d.rssi ?? '—'}</td><td class="num">${d.lqi ?? '—'}</td>
            ${
              admin
                ? html`<td class="actions">${
                    confirm === d.rfId
                      ? html`<button type="button" class="danger" id=${`confirm-remove-${d.rfId}`} onClick=${() => void remove(d)}>Remove ${d.name} now</button>`
                      : html`<button type="button" class="secondary" id=${`remove-${d.rfId}`} onClick=${() => setConfirm(d.rfId)}>Remove</button>`
                  }</td>`
                : null
            }
          </tr>`,
        )}</tbody>
      </table></div>
      ${
        admin && o.radioOn
          ? confirm === '*rebuild'
            ? html`<p>Every paired device is forgotten (history stays) and must join again.
                <button type="button" class="danger" id="confirm-rebuild" onClick=${() => void rebuild()}>Rebuild the network now</button>
                <button type="button" class="secondary" onClick=${() => setConfirm(undefined)}>Keep it</button></p>`
            : html`<button type="button" class="secondary" id="rebuild" onClick=${() => setConfirm('*rebuild')}>Rebuild network…</button>`
          : null
      }
    </section>
    ${
      o.unknown.length > 0
        ? html`<section class="card" aria-labelledby="unknown-h"><h2 id="unknown-h">Unknown devices heard (${o.unknown.length})</h2>
            <ul>${o.unknown.map((u) => html`<li key=${u.rfId}><code>${u.rfId}</code> ${u.model ?? 'unknown model'}: ${u.reason}</li>`)}</ul></section>`
        : null
    }`;
}
