/**
 * Application events as audit entries (SECURITY D1): configuration changes
 * (what changed, secrets already "[redacted]" by the store's diff), service
 * switches derived from those changes, Modbus time setting on unit 255, start
 * and stop. Later capabilities add theirs through `AuditLog.append` the same
 * way (firmware, backup/restore, factory reset …).
 */
import type { ChangeMeta, ConfigChange } from '../../config/store.js';
import type { InputCounterSetEvent } from '../../inputs/events.js';
import type { TimeSetEvent } from '../../modbus/events.js';
import type { AuditActor, AuditEntry, JsonValue } from './record.js';

/** At most this many changed leaves are listed in one record (the count is always given). */
export const MAX_DIFF_ENTRIES = 50;

/** Service switches: a changed boolean at one of these paths turns a service on or off. */
const SERVICES: ReadonlyArray<{ re: RegExp; service: string }> = [
  { re: /^\/modbus\/server\/enabled\/([^/]+)$/, service: 'modbus-tcp-server' },
  { re: /^\/web\/enabled\/([^/]+)$/, service: 'https' },
];

export function actorOf(meta: ChangeMeta): AuditActor {
  const name = meta.actor ?? null;
  if (meta.actorKind) return { kind: meta.actorKind, name };
  if (name === 'cli') return { kind: 'host', name };
  return name === null ? { kind: 'system', name } : { kind: 'account', name };
}

function leaf(v: unknown): JsonValue {
  if (v === undefined) return null;
  return v as JsonValue;
}

export function auditFromConfig(change: ConfigChange, meta: ChangeMeta): AuditEntry[] {
  const actor = actorOf(meta);
  const source = meta.source ?? null;
  const entries: AuditEntry[] = [
    {
      category: 'config',
      event: 'config.changed',
      actor,
      source,
      result: 'success',
      details: {
        revision: change.revision,
        sections: change.changedSections,
        changes: change.diff.length,
        diff: change.diff
          .slice(0, MAX_DIFF_ENTRIES)
          .map((d) => ({ path: d.path, before: leaf(d.before), after: leaf(d.after) })),
      },
    },
  ];
  for (const d of change.diff) {
    for (const s of SERVICES) {
      const m = s.re.exec(d.path);
      if (!m || typeof d.after !== 'boolean' || d.before === d.after) continue;
      entries.push({
        category: 'service',
        event: d.after ? 'service.enabled' : 'service.disabled',
        actor,
        source,
        result: 'success',
        details: { service: s.service, network: m[1] ?? null },
      });
    }
  }
  return entries;
}

export function auditFromTimeSet(e: TimeSetEvent): AuditEntry {
  return {
    category: 'time',
    event: 'time.set',
    actor: { kind: 'anonymous', name: null },
    source: e.source,
    result: 'success',
    details: {
      via: 'modbus',
      unitId: e.unitId,
      time: new Date(e.epochMs).toISOString(),
      previous: new Date(e.previousEpochMs).toISOString(),
    },
  };
}

export function auditFromCounterSet(e: InputCounterSetEvent): AuditEntry {
  return {
    category: 'config',
    event: 'input.counter-set',
    actor: { kind: 'anonymous', name: null },
    source: e.source,
    result: 'success',
    details: { via: 'modbus', unitId: 255, input: e.input, field: e.field, value: e.value },
  };
}
