/**
 * The main thread's side of the web worker's calls (protocol.ts): each call
 * `<service>.<method>` with its argument list runs the method on the part
 * that owns it — the devices service (acquisition), the wireless part, the
 * model catalog, the history store — and answers plain data (structured
 * clone). These are short in-memory operations (a list, a status, a
 * snapshot of the points not yet written); the heavy work of a request
 * (TLS, JSON, history queries, exports, password hashing) stays in the worker.
 */
import type { DevicesService } from '../acquisition/service.js';
import type { ConfigService } from '../config/service.js';
import type { SeriesSnapshot } from '../history/snapshot.js';
import type { CursorRead, HistoryStatus } from '../history/types.js';
import type { ModbusDiagnostics } from '../modbus/diagnostics.js';
import type { HealthBoard } from '../shared/health.js';
import type { RestartRequest } from '../shared/lifecycle.js';
import type { ThreadStats } from '../shared/process-stats.js';
import type { Rpc } from '../shared/rpc.js';
import type { WirelessPart } from '../wireless/part.js';
import { callName, MAIN_CALLS, type Service } from './protocol.js';
import type { ModelCatalogLike } from './proxies.js';

export interface MainServices {
  readonly devices: DevicesService;
  readonly wireless: Pick<WirelessPart, 'overview' | 'permitJoin' | 'remove' | 'rebuildNetwork'>;
  readonly models: ModelCatalogLike;
  /** Names of the devices that use a model (a model in use cannot be deleted). */
  readonly usedBy: (modelId: string) => readonly string[];
  readonly history: {
    snapshot(ids?: readonly string[]): SeriesSnapshot[];
    status(): HistoryStatus;
    readAfter(position: number, maxPoints?: number): CursorRead;
  };
  readonly health: Pick<HealthBoard, 'report'> & Partial<Pick<HealthBoard, 'set'>>;
  readonly modbus: { diagnostics(): ModbusDiagnostics };
  /** Configuration sections read and replaced by the API (config/service.ts). */
  readonly config: ConfigService;
  /** The main thread's heap, the process's RSS and the main event loop's delay. */
  readonly process: { stats(): ThreadStats };
  /** Restart of the whole application (Maintenance → Restart), after the answer has left. */
  readonly system: { restart(by: RestartRequest): void };
}

type Method = (...args: unknown[]) => unknown;

/** Serves every call of MAIN_CALLS from `services`. */
export function serveMain(rpc: Rpc, services: MainServices): void {
  const history = {
    snapshot: (series: readonly string[] | 'all') =>
      services.history.snapshot(series === 'all' ? undefined : series),
    status: () => services.history.status(),
    readAfter: (p: number, n?: number) => services.history.readAfter(p, n),
  };
  const targets: Record<Service, object> = { ...services, history };
  const extra: Record<string, Method> = { 'models.usedBy': (id) => services.usedBy(id as string) };
  const handlers: Record<string, (args: never) => unknown> = {};
  for (const service of Object.keys(MAIN_CALLS) as Service[]) {
    const target = targets[service] as Record<string, Method>;
    for (const method of MAIN_CALLS[service]) {
      const name = callName(service, method);
      const own = extra[name];
      handlers[name] = (args: unknown[]) => {
        const list = Array.isArray(args) ? args : [];
        return own ? own(...list) : (target[method] as Method).apply(target, list);
      };
    }
  }
  rpc.serve(handlers);
}
