/** The JSON API, as the pages use it: same origin, session cookie, errors as messages. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The API's `{ path, message }` problems (invalid input), each naming its field. */
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

async function answer<T>(res: Response): Promise<T> {
  if (res.status === 401) {
    // Session ended (logout elsewhere, timeout): back to the login page, then here.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, 'not logged in');
  }
  const text = await res.text();
  const body = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!res.ok) {
    const problem = body as { message?: string; details?: { path: string; message: string }[] } | undefined;
    throw new ApiError(res.status, problem?.message ?? res.statusText, problem?.details ?? []);
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function sendJson<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
  }
  return answer<T>(await fetch(path, init));
}

export interface Me {
  name: string;
  role: 'admin' | 'operator' | 'viewer' | 'support';
}
export interface SystemInfo {
  name: string;
  serialNumber: string;
  version: string;
  timeZone: string;
}
export interface HealthReason {
  key: string;
  severity: 'degraded' | 'out-of-order';
  message: string;
  since: string;
}
export interface Health {
  status: 'ok' | 'degraded' | 'out-of-order';
  reasons: HealthReason[];
}
export interface DeviceStatus {
  state: string;
  problem: string | null;
  lastSuccessAt: string | null;
}
export interface DeviceEntry {
  device: { id: number; name: string; location?: { kind: string }; virtualId?: number; enabled?: boolean };
  model: { id: string; name: string } | null;
  status: DeviceStatus;
}
export interface Reading {
  key: string;
  t: string;
  value: number | string | null;
  /** The model's unit (V, A, W …), '' when none. */
  unit?: string;
  quality: 'valid' | 'invalid' | 'comm-error';
}
export interface ModelDoc {
  measurements?: { key: string; name?: string; unit?: string }[];
}
export interface WirelessDevice {
  deviceId: number;
  status: 'connected' | 'not-connected';
  lastSeen: string | null;
  rssi: number | null;
  lqi: number | null;
}
export interface WirelessOverview {
  radioOn: boolean;
  permanentlyDisabled: boolean;
  devices: WirelessDevice[];
}
