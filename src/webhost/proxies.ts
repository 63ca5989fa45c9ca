/**
 * The web worker's side of the services main owns (protocol.ts): objects of
 * the services' shapes whose every method is an rpc call with its argument
 * list, answering a promise; the routes await them like local answers.
 * Configuration sections arrive as memory views that main keeps current.
 */

import type { DevicesService } from '../api/routes/devices.js';
import type { ModelCatalogApi } from '../api/routes/models.js';
import type { WirelessRouteOptions } from '../api/routes/wireless.js';
import type { Config } from '../config/schema.js';
import type { ConfigService } from '../config/service.js';
import type { ModelCatalog } from '../devices/models/index.js';
import type { HistorySource } from '../history/replica.js';
import type { ModbusDiagnostics } from '../modbus/diagnostics.js';
import { type MemoryConfigView, memoryConfigView } from '../shared/config-view.js';
import type { HealthReport } from '../shared/health.js';
import type { RestartRequest } from '../shared/lifecycle.js';
import type { ThreadStats } from '../shared/process-stats.js';
import type { Remote, Rpc } from '../shared/rpc.js';
import {
  callName,
  MAIN_CALLS,
  type SectionChange,
  type Service,
  WORKER_SECTIONS,
  type WorkerSection,
} from './protocol.js';

/** What the handlers use of the model catalog. */
export type ModelCatalogLike = Pick<
  ModelCatalog,
  'summaries' | 'require' | 'isBuiltIn' | 'isCustom' | 'importCustom' | 'removeCustom'
>;

function proxy<T>(rpc: Rpc, service: Service): T {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of MAIN_CALLS[service]) {
    out[method] = (...args) => rpc.call(callName(service, method), args);
  }
  return out as T;
}

export interface RemoteServices {
  readonly devices: DevicesService;
  readonly wireless: WirelessRouteOptions['wireless'];
  readonly models: ModelCatalogApi & { usedBy(id: string): Promise<readonly string[]> };
  readonly history: HistorySource;
  readonly health: { report(): Promise<HealthReport> };
  readonly modbus: { diagnostics(): Promise<ModbusDiagnostics> };
  readonly config: Remote<ConfigService>;
  readonly process: { stats(): Promise<ThreadStats> };
  readonly system: { restart(by: RestartRequest): Promise<void> };
}

export function remoteServices(rpc: Rpc): RemoteServices {
  return {
    devices: proxy(rpc, 'devices'),
    wireless: proxy(rpc, 'wireless'),
    models: proxy(rpc, 'models'),
    history: proxy(rpc, 'history'),
    health: proxy(rpc, 'health'),
    modbus: proxy(rpc, 'modbus'),
    config: proxy(rpc, 'config'),
    process: proxy(rpc, 'process'),
    system: proxy(rpc, 'system'),
  };
}

export type WorkerViews = { [K in WorkerSection]: MemoryConfigView<Config[K]> };

/** Memory views of the sections the worker follows, kept current by main's `config.section` notices. */
export function remoteViews(rpc: Rpc, initial: Pick<Config, WorkerSection>): WorkerViews {
  const views = Object.fromEntries(
    WORKER_SECTIONS.map((s) => [s, memoryConfigView(initial[s])]),
  ) as unknown as WorkerViews;
  rpc.onNotify<SectionChange>('config.section', (c) => {
    void (views[c.section] as MemoryConfigView<unknown>).set(c.value);
  });
  return views;
}
