/** Shapes of the devices API the device pages use, and discovery's polling. */
import { getJson, sendJson } from '../api.js';

export const PERIODS = [1, 5, 10, 15, 20, 30, 60] as const;

export interface DeviceRow {
  device: {
    id: number;
    name: string;
    model?: string;
    enabled?: boolean;
    virtualId?: number;
    periodMinutes?: number;
    measurements?: string[];
    location: { kind: string; host?: string; port?: number; unit?: number; line?: string; slave?: number };
  };
  model: { id: string; name: string } | null;
  status: { state: string; problem: string | null; lastSuccessAt: string | null };
  series: Record<string, string>;
}

export interface ModelSummary {
  id: string;
  name: string;
  family: string;
  builtIn: boolean;
  periodSeconds?: number;
}

export interface DiscoveryResult {
  location: Record<string, unknown>;
  identity: Record<string, string> | null;
  models: string[];
  via: string;
  deviceId: number | null;
}

export interface Discovery {
  id: string;
  kind: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  total: number;
  done: number;
  error: string | null;
  results: DiscoveryResult[];
}

const POLL_MS = 400;

/** Starts a discovery and reports its state until it ends; resolves with the last state. */
export async function runDiscovery(request: unknown, progress: (d: Discovery) => void): Promise<Discovery> {
  let d = await sendJson<Discovery>('POST', '/api/v1/devices/discovery', request);
  progress(d);
  while (d.state === 'running') {
    await new Promise((r) => setTimeout(r, POLL_MS));
    d = await getJson<Discovery>('/api/v1/devices/discovery');
    progress(d);
  }
  return d;
}

/** Where a device is, in words: `10.0.0.5:502 unit 1`, `RS485-1 slave 3`. */
export function whereOf(loc: DeviceRow['device']['location'] | Record<string, unknown>): string {
  const l = loc as DeviceRow['device']['location'];
  if (l.kind === 'tcp') return `${l.host}:${l.port ?? 502} unit ${l.unit ?? 255}`;
  if (l.kind === 'serial') return `${l.line} slave ${l.slave}`;
  return l.kind;
}
