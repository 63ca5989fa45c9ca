/**
 * The audit Part: opens the audit log (its own database and key file in the
 * data directory) when built, so that parts built after it can record through
 * `audit.record(...)`; on start it records `system.started` and subscribes to
 * the application events it audits (configuration commits, Modbus time
 * setting, stop). It is added first, so it stops last and the stop is recorded.
 * A failing audit write never throws into the caller (the log keeps it in
 * memory and retries; SECURITY D4).
 */

import type { AuditConfig } from '../../config/schema-audit.js';
import type { ChangeMeta, ConfigChange, ConfigStore } from '../../config/store.js';
import type { ConfigView } from '../../core/context.js';
import type { InputsEvents } from '../../inputs/events.js';
import type { ModbusEvents } from '../../modbus/events.js';
import type { Clock } from '../../shared/clock.js';
import type { TypedEvents } from '../../shared/events.js';
import type { Part } from '../../shared/lifecycle.js';
import type { Logger } from '../../shared/logger.js';
import type { SecurityEvent } from '../auth-service.js';
import { auditFromConfig, auditFromCounterSet, auditFromTimeSet } from './from-app.js';
import { auditFromSecurity } from './from-security.js';
import { type AuditEntry, SYSTEM_ACTOR } from './record.js';
import { type AppendResult, AuditLog, type AuditNotice } from './store.js';

type AuditedEvents = Record<string, unknown> &
  ModbusEvents &
  InputsEvents & {
    'app.started': { version: string };
    'app.stopping': { reason: string };
  };

export interface AuditPartContext {
  log: Logger;
  clock: Clock;
  events: Pick<TypedEvents<AuditedEvents>, 'on'>;
  config: ConfigStore;
  audit: ConfigView<AuditConfig>;
  dbPath: string;
  keyPath: string;
  onNotice?: (n: AuditNotice) => void;
}

export interface AuditPart extends Part {
  readonly log: AuditLog;
  record(entry: AuditEntry): AppendResult | undefined;
  recordSecurity(e: SecurityEvent): void;
}

export function createAuditPart(ctx: AuditPartContext): AuditPart {
  const log = ctx.log.child({ component: 'audit' });
  const store = AuditLog.open({
    dbPath: ctx.dbPath,
    keyPath: ctx.keyPath,
    clock: ctx.clock,
    log,
    settings: () => ctx.audit.get(),
    onNotice: (n) => {
      if (n.type === 'capacity-warning')
        log.warn(n, 'audit log is 80 % full: export it before records are evicted');
      ctx.onNotice?.(n);
    },
  });
  const record = (entry: AuditEntry): AppendResult | undefined => {
    try {
      return store.append(entry);
    } catch (err) {
      log.error({ err, event: entry.event }, 'audit record failed');
      return undefined;
    }
  };
  const offs: Array<() => void> = [];
  return {
    name: 'audit',
    log: store,
    record,
    recordSecurity(e) {
      const entry = auditFromSecurity(e);
      if (entry) record(entry);
    },
    start() {
      offs.push(
        ctx.config.onCommit((change: ConfigChange, meta: ChangeMeta) => {
          for (const entry of auditFromConfig(change, meta)) record(entry);
        }),
        ctx.events.on('modbus.time-set', (e) => void record(auditFromTimeSet(e))),
        ctx.events.on('inputs.counter-set', (e) => void record(auditFromCounterSet(e))),
        ctx.events.on(
          'app.started',
          (e) =>
            void record({
              category: 'system',
              event: 'system.started',
              actor: SYSTEM_ACTOR,
              result: 'info',
              details: e,
            }),
        ),
        ctx.events.on(
          'app.stopping',
          (e) =>
            void record({
              category: 'system',
              event: 'system.stopping',
              actor: SYSTEM_ACTOR,
              result: 'info',
              details: e,
            }),
        ),
      );
    },
    stop() {
      for (const off of offs.splice(0)) off();
      store.close();
    },
  };
}
