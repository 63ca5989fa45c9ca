/**
 * The Wattgate web UI (issue 15): one page application over the JSON API,
 * rendered by Preact into the shell the server sends for every page URL.
 */
import './app.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  type DeviceEntry,
  getJson,
  type Health,
  type Me,
  type SystemInfo,
  type WirelessOverview,
} from './api.js';
import { setTimeZone } from './format.js';
import { html } from './html.js';
import { CertificateSettings } from './pages/certificate.js';
import { ConfigSection } from './pages/config-section.js';
import { DevicesSettings } from './pages/devices.js';
import { Diagnostics, Logs, MaintenanceIndex } from './pages/maintenance.js';
import { ModelsSettings } from './pages/models.js';
import { Monitoring } from './pages/monitoring.js';
import { ChangePassword } from './pages/password.js';
import { ADVANCED, AdvancedIndex, SettingsIndex, WirelessSettings } from './pages/settings.js';
import { Home, Later, NotFound } from './pages/simple.js';
import { TokensSettings } from './pages/tokens.js';
import { UsersSettings } from './pages/users.js';
import { currentPath, onNavigate } from './router.js';
import { Shell } from './shell.js';
import { type ModbusDiag, type ServiceRow, serviceRows } from './status.js';

const STATUS_MS = 5000;

function settingsPage(path: string, me: Me | undefined) {
  const config = (title: string, section: string, pick?: string, intro?: string) =>
    html`<${ConfigSection} key=${path} me=${me} title=${title} section=${section} pick=${pick} intro=${intro} />`;
  switch (path) {
    case '/settings':
      return html`<${SettingsIndex} />`;
    case '/settings/devices':
      return html`<${DevicesSettings} me=${me} />`;
    case '/settings/wireless':
      return html`<${WirelessSettings} me=${me} />`;
    case '/settings/tokens':
      return html`<${TokensSettings} me=${me} />`;
    case '/settings/users':
      return html`<${UsersSettings} me=${me} />`;
    case '/settings/certificate':
      return html`<${CertificateSettings} me=${me} />`;
    case '/settings/models':
      return html`<${ModelsSettings} me=${me} />`;
    case '/settings/password':
      return html`<${ChangePassword} me=${me} />`;
    case '/settings/system':
      return config(
        'System',
        'system',
        undefined,
        'Installation name and location, and the time zone of pages and local time stamps.',
      );
    case '/settings/networks':
      return config(
        'Networks',
        'networks',
        undefined,
        'The addresses Wattgate listens on, by network name (0.0.0.0: every IPv4 address).',
      );
    case '/settings/modbus-service':
      return config(
        'Modbus service',
        'modbus',
        'server',
        'The Modbus TCP server: on or off per network, who may connect, which units are read-only.',
      );
    case '/settings/serial-lines':
      return config(
        'Serial lines',
        'modbus',
        'serialLines',
        'RS-485 lines and their RTU master: speed, framing, timeouts, and the unit ids each serves.',
      );
    case '/settings/advanced':
      return html`<${AdvancedIndex} />`;
  }
  const section = path.slice('/settings/advanced/'.length);
  const advanced = path.startsWith('/settings/advanced/') ? ADVANCED[section] : undefined;
  if (advanced) return config(advanced.title, section, undefined, advanced.intro);
  return html`<${NotFound} path=${path} />`;
}

function page(path: string, me: Me | undefined) {
  if (path === '/settings' || path.startsWith('/settings/')) return settingsPage(path, me);
  switch (path) {
    case '/':
      return html`<${Home} me=${me} />`;
    case '/monitoring':
      return html`<${Monitoring} />`;
    case '/trending':
      return html`<${Later} title="Trending" what="Charts of the history, comparisons and exports." />`;
    case '/alarms':
      return html`<${Later} title="Alarms" what="Alarm rules, active alarms and their history." />`;
    case '/maintenance':
      return html`<${MaintenanceIndex} me=${me} />`;
    case '/maintenance/logs':
      return html`<${Logs} me=${me} />`;
    case '/maintenance/diagnostics':
      return html`<${Diagnostics} />`;
    default:
      return html`<${NotFound} path=${path} />`;
  }
}

const TITLES: Record<string, string> = {
  '/': 'Home',
  '/monitoring': 'Monitoring',
  '/trending': 'Trending',
  '/alarms': 'Alarms',
  '/settings': 'Settings',
  '/maintenance': 'Maintenance',
  '/maintenance/logs': 'Logs',
  '/maintenance/diagnostics': 'Diagnostics',
  '/settings/wireless': 'Wireless devices',
  '/settings/tokens': 'API tokens',
  '/settings/devices': 'Modbus devices',
  '/settings/users': 'Users and roles',
  '/settings/certificate': 'Certificate',
  '/settings/password': 'Change my password',
  '/settings/models': 'Device models',
  '/settings/system': 'System',
  '/settings/networks': 'Networks',
  '/settings/modbus-service': 'Modbus service',
  '/settings/serial-lines': 'Serial lines',
  '/settings/advanced': 'Advanced settings',
};

function App() {
  const [path, setPath] = useState(currentPath());
  const [me, setMe] = useState<Me | undefined>(undefined);
  const [system, setSystem] = useState<SystemInfo | undefined>(undefined);
  const [rows, setRows] = useState<ServiceRow[]>([]);
  useEffect(() => onNavigate(setPath), []);
  useEffect(() => {
    document.title = `${TITLES[path] ?? (path.startsWith('/settings/advanced/') ? 'Advanced settings' : 'Not found')} · ${system?.name ?? 'Wattgate'}`;
  }, [path, system]);
  useEffect(() => {
    void getJson<Me>('/api/v1/me').then(setMe);
    void getJson<SystemInfo>('/api/v1/system').then((s) => {
      setTimeZone(s.timeZone);
      setSystem(s);
    });
    let live = true;
    const tick = async () => {
      const [health, modbus, devices, wireless] = await Promise.all([
        getJson<Health>('/api/v1/health'),
        getJson<ModbusDiag>('/api/v1/diagnostics/modbus').catch(() => undefined),
        getJson<DeviceEntry[]>('/api/v1/devices').catch(() => []),
        getJson<WirelessOverview>('/api/v1/wireless').catch(() => undefined),
      ]);
      if (live) setRows(serviceRows(health, modbus, devices, wireless));
    };
    void tick().catch(() => {});
    const t = setInterval(() => void tick().catch(() => {}), STATUS_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  return html`<${Shell} path=${path} me=${me} systemName=${system?.name ?? 'Wattgate'} rows=${rows}>
    ${page(path, me)}
  <//>`;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
