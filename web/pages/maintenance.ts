/**
 * Maintenance: Logs (logs.ts: the audit log with filters and paging,
 * downloads, chain verification), Diagnostics (diagnostics.ts: process,
 * Modbus server, serial lines, downstream TCP endpoints, devices) and Restart
 * (admin, asked twice, audited): the page waits until Wattgate answers again.
 */
import { useState } from 'preact/hooks';
import { getJson, type Me, sendJson } from '../api.js';
import { html } from '../html.js';
import { link } from '../shell.js';

export { Diagnostics } from './diagnostics.js';
export { Logs } from './logs.js';

const BACK_POLL_MS = 1000;
const BACK_WITHIN_MS = 120_000;

function Restart() {
  const [state, setState] = useState<'idle' | 'confirm' | 'restarting' | 'back' | 'failed'>('idle');
  const [text, setText] = useState('');
  const restart = async () => {
    try {
      await sendJson('POST', '/api/v1/system/restart');
    } catch (e) {
      setState('failed');
      setText((e as Error).message);
      return;
    }
    setState('restarting');
    const started = Date.now();
    // The answer left before the stop: wait for the server to go away and come back.
    let seenDown = false;
    while (Date.now() - started < BACK_WITHIN_MS) {
      await new Promise((r) => setTimeout(r, BACK_POLL_MS));
      try {
        const s = await getJson<{ uptimeS: number }>('/api/v1/system');
        if (seenDown || s.uptimeS < (Date.now() - started) / 1000) {
          setState('back');
          return;
        }
      } catch {
        seenDown = true;
      }
    }
    setState('failed');
    setText('Wattgate did not answer within two minutes: check the service on the host.');
  };
  return html`<section class="card" aria-labelledby="restart-h">
    <h2 id="restart-h">Restart</h2>
    <p>Stops every service in order (Modbus connections close, history is flushed) and starts them again
      from the stored configuration. Modbus clients reconnect; this takes a few seconds.</p>
    ${
      state === 'idle' || state === 'failed'
        ? html`<button type="button" class="secondary" id="restart" onClick=${() => setState('confirm')}>Restart Wattgate…</button>`
        : null
    }
    ${
      state === 'confirm'
        ? html`<p><button type="button" class="danger" id="confirm-restart" onClick=${() => void restart()}>Restart now</button>
            <button type="button" class="secondary" onClick=${() => setState('idle')}>Cancel</button></p>`
        : null
    }
    ${state === 'restarting' ? html`<p role="status" id="restart-state" data-state="restarting">Restarting… this page waits for Wattgate to answer again.</p>` : null}
    ${state === 'back' ? html`<p class="ok-note" role="status" id="restart-state" data-state="back">Wattgate restarted and answers again.</p>` : null}
    ${state === 'failed' ? html`<p class="error" role="alert" id="restart-state" data-state="failed">${text}</p>` : null}
  </section>`;
}

export function MaintenanceIndex({ me }: { me: Me | undefined }) {
  return html`<h1>Maintenance</h1>
    <ul class="tiles">
      <li><a href="/maintenance/logs" onClick=${link}>Logs</a>: the audit log with filters, downloads, chain verification</li>
      <li><a href="/maintenance/diagnostics" onClick=${link}>Diagnostics</a>: process, Modbus server, serial lines, downstream devices and their counters</li>
    </ul>
    ${me?.role === 'admin' ? html`<${Restart} />` : null}`;
}
