/**
 * Devices API (PRODUCT L2, L3, E2 Monitoring; issue 7 part 2), over the
 * acquisition part's DevicesService:
 * - any role: the device list with status, one device, its live values
 *   (newest reading of each measurement), its status, and watch leases (the
 *   Monitoring page keeps one alive to get fast live polling);
 * - admin: add, edit, remove a device (validated against the model catalog
 *   and the whole configuration; errors carry the path of the device field),
 *   and discovery (start, progress, cancel: devices-discovery.ts).
 * Times are ISO 8601 UTC; 64-bit integer values are sent as decimal strings
 * (JSON numbers cannot hold them exactly).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Reading } from '../../acquisition/events.js';
import type { DeviceView, LiveReading, DevicesService as LocalDevices } from '../../acquisition/service.js';
import type { DeviceStatus } from '../../acquisition/status.js';
import type { WatchLease } from '../../acquisition/watch.js';
import { COMMODITIES, PERIOD_MINUTES, USAGES } from '../../config/schema-devices.js';
import type { DevicePatch, NewDevice } from '../../devices/admin.js';
import { MEASUREMENT_KEY_PATTERN, MODEL_ID_PATTERN } from '../../devices/model-schema.js';
import { ADMIN_ONLY, ANY_ROLE } from '../../security/roles.js';
import type { Remote } from '../../shared/rpc.js';
import { changeMeta } from '../change-meta.js';
import { closed, Host, iso, Name, NullableWhen, When } from './device-schema-parts.js';
import { discoveryRoutes } from './devices-discovery.js';

export interface DeviceRouteOptions {
  /** The acquisition part, or its proxy in the web worker (every answer may be a promise). */
  readonly devices: DevicesService;
}

/** DevicesService, each answer now or later (the web worker reaches it through Rpc). */
export type DevicesService = Remote<LocalDevices>;

const IdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,9}$' }) });
const Value = Type.Union([Type.Number(), Type.String(), Type.Null()], {
  description: 'number; 64-bit integers as decimal strings; null unless quality is valid',
});

const LocationIn = Type.Union([
  Type.Object(
    { kind: Type.Literal('serial'), line: Name, slave: Type.Integer({ minimum: 1, maximum: 247 }) },
    closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('tcp'),
      host: Host,
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'default 502' })),
      unit: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'default 255' })),
      timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'default 1000' })),
      oneInFlight: Type.Optional(
        Type.Boolean({ description: 'the device takes one request at a time (default false)' }),
      ),
    },
    closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('wireless'),
      rfId: Type.String({ pattern: '^[0-9A-Fa-f]{16}$' }),
      label: Type.Optional(Type.String({ maxLength: 5, description: 'register 31011 (default empty)' })),
    },
    closed,
  ),
]);

const Settable = {
  enabled: Type.Optional(Type.Boolean()),
  usage: Type.Optional(Type.Enum([...USAGES])),
  zone: Type.Optional(Type.String({ maxLength: 64 })),
  commodity: Type.Optional(Type.Enum([...COMMODITIES])),
  periodMinutes: Type.Optional(Type.Enum([...PERIOD_MINUTES])),
};
const Keys = Type.Array(Type.String({ pattern: MEASUREMENT_KEY_PATTERN }), {
  maxItems: 2000,
  uniqueItems: true,
});
const Model = Type.String({ pattern: MODEL_ID_PATTERN });
const VirtualId = Type.Integer({
  minimum: 1,
  maximum: 247,
  description: 'unit id under which the gateway routes it (TCP and wireless devices)',
});

const DeviceIn = Type.Object(
  {
    name: Name,
    model: Type.Optional(Model),
    location: LocationIn,
    virtualId: Type.Optional(VirtualId),
    ...Settable,
    measurements: Type.Optional(Keys),
  },
  closed,
);
const DevicePatchIn = Type.Object(
  {
    name: Type.Optional(Name),
    model: Type.Optional(Type.Union([Model, Type.Null()], { description: 'null: no model (not sampled)' })),
    location: Type.Optional(LocationIn),
    virtualId: Type.Optional(Type.Union([VirtualId, Type.Null()], { description: 'null: not routed' })),
    ...Settable,
    measurements: Type.Optional(
      Type.Union([Keys, Type.Null()], { description: "null: the model's default" }),
    ),
  },
  closed,
);

const ErrorOut = Type.Union([
  Type.Object({ at: When, code: Type.String(), message: Type.String() }),
  Type.Null(),
]);
const StatusOut = Type.Object({
  deviceId: Type.Integer(),
  state: Type.String({ description: 'unknown | ok | error | backed-off | disabled | not-polled' }),
  problem: Type.Union([Type.String(), Type.Null()]),
  lastSuccessAt: NullableWhen,
  lastAttemptAt: NullableWhen,
  lastError: ErrorOut,
  consecutiveFailures: Type.Integer(),
  backoffUntil: NullableWhen,
  polls: Type.Integer(),
  failures: Type.Integer(),
  skipped: Type.Integer(),
  lastDurationMs: Type.Union([Type.Number(), Type.Null()]),
});
const DeviceOut = Type.Object({
  device: Type.Record(Type.String(), Type.Unknown(), {
    description: 'the device as configured (ids never change)',
  }),
  model: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  status: StatusOut,
  series: Type.Record(Type.String(), Type.String(), { description: 'logged key → series id' }),
});
const ReadingOut = Type.Object({
  key: Type.String(),
  seriesId: Type.String(),
  t: When,
  value: Value,
  unit: Type.String({ description: "the model's unit (V, A, W, Wh …); empty when none" }),
  quality: Type.Enum(['valid', 'invalid', 'comm-error']),
});
const LeaseOut = Type.Object({ id: Type.String(), deviceIds: Type.Array(Type.Integer()), expiresAt: When });
const LeaseParams = Type.Object({ lease: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
const WatchIn = Type.Object(
  { deviceIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 256 }) },
  closed,
);

const json = (v: Reading['value']) => (typeof v === 'bigint' ? v.toString() : v);

function statusOut(s: DeviceStatus) {
  const lastError = s.lastError ? { ...s.lastError, at: iso(s.lastError.at) } : null;
  const times = { lastSuccessAt: iso(s.lastSuccessAt), lastAttemptAt: iso(s.lastAttemptAt) };
  return { ...s, ...times, lastError, backoffUntil: iso(s.backoffUntil) };
}

const deviceOut = (v: DeviceView) => ({ ...v, status: statusOut(v.status) });
const leaseOut = (l: WatchLease) => ({ ...l, expiresAt: iso(l.expiresAt) });
const readingOut = (r: LiveReading) => ({
  key: r.key,
  seriesId: r.seriesId,
  t: iso(r.t),
  value: json(r.value),
  unit: r.unit,
  quality: r.quality,
});

const idOf = (params: unknown) => Number((params as { id: string }).id);

function readRoutes(app: FastifyInstance, d: DevicesService): void {
  const tags = ['devices'];
  app.get('/api/v1/devices', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Devices with their status and series ids',
      description:
        'Any role. Each device as configured, its model, its communication status and the series id of ' +
        'each logged measurement (for /api/v1/history).',
      tags,
      response: { 200: Type.Array(DeviceOut) },
    },
    handler: async () => (await d.list()).map(deviceOut),
  });
  app.get('/api/v1/devices/:id', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'One device',
      description: 'Any role. As in the list: configuration, model, status, series ids; unknown id: 404.',
      tags,
      params: IdParams,
      response: { 200: DeviceOut },
    },
    handler: async (request) => deviceOut(await d.get(idOf(request.params))),
  });
  app.get('/api/v1/devices/:id/status', {
    config: { access: ANY_ROLE },
    schema: {
      summary: "A device's communication status",
      description:
        'Any role. State, last success, attempt and error, failures in a row, back-off and poll counters; ' +
        'unknown id: 404.',
      tags,
      params: IdParams,
      response: { 200: StatusOut },
    },
    handler: async (request) => statusOut((await d.get(idOf(request.params))).status),
  });
  app.get('/api/v1/devices/values', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Newest values of every device at once (what the Monitoring page shows)',
      description:
        'The same readings as GET /api/v1/devices/{id}/values, for every device in one answer: ' +
        'a page showing many devices makes one request instead of one per device.',
      tags,
      response: {
        200: Type.Array(Type.Object({ deviceId: Type.Integer(), readings: Type.Array(ReadingOut) })),
      },
    },
    // One call to the devices service (one Rpc message from the web thread), not one per device.
    handler: async () =>
      (await d.latestAll()).map((x) => ({ deviceId: x.deviceId, readings: x.readings.map(readingOut) })),
  });
  app.get('/api/v1/devices/:id/values', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Newest value of each measurement (sampled or live), with quality',
      description:
        'Any role. Each reading with its time, unit and quality; the value is null unless valid, and ' +
        '64-bit integers come as decimal strings. Unknown id: 404.',
      tags,
      params: IdParams,
      response: { 200: Type.Object({ deviceId: Type.Integer(), readings: Type.Array(ReadingOut) }) },
    },
    handler: async (request) => {
      const id = idOf(request.params);
      return { deviceId: id, readings: (await d.latest(id)).map(readingOut) };
    },
  });
}

function adminRoutes(app: FastifyInstance, d: DevicesService): void {
  const tags = ['devices'];
  app.post('/api/v1/devices', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Add a device (it gets a new id)',
      description:
        'Admin only. Validated against the model catalog and the whole configuration: 400 with `details` ' +
        'naming each device field. Answers 201; audited as a configuration change.',
      tags,
      body: DeviceIn,
      response: { 201: DeviceOut },
    },
    handler: async (request, reply) => {
      const view = await d.add(request.body as NewDevice, changeMeta(request));
      return reply.code(201).send(deviceOut(view));
    },
  });
  app.patch('/api/v1/devices/:id', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Edit a device (its id and series ids stay)',
      description:
        "Admin only. Only the fields given change; null returns `measurements` to the model's default, " +
        'stops routing (`virtualId`) or sampling (`model`). Validated as on add (400); unknown id: 404; audited.',
      tags,
      params: IdParams,
      body: DevicePatchIn,
      response: { 200: DeviceOut },
    },
    handler: async (request) =>
      deviceOut(await d.update(idOf(request.params), request.body as DevicePatch, changeMeta(request))),
  });
  app.delete('/api/v1/devices/:id', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Remove a device (its id is never given again)',
      description: 'Admin only. Its history stays in the store; unknown id: 404. Answers 204; audited.',
      tags,
      params: IdParams,
    },
    handler: async (request, reply) => {
      await d.remove(idOf(request.params), changeMeta(request));
      return reply.code(204).send();
    },
  });
}

function watchRoutes(app: FastifyInstance, d: DevicesService): void {
  const tags = ['devices'];
  app.post('/api/v1/devices/watch', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Watch devices: fast live polling while the lease is renewed',
      description:
        'Any role. Answers 201 with a lease that ends by itself unless renewed in time (`expiresAt`). ' +
        'Too many leases or watched devices at once: 429.',
      tags,
      body: WatchIn,
      response: { 201: LeaseOut },
    },
    handler: async (request, reply) =>
      reply.code(201).send(leaseOut(await d.watch((request.body as { deviceIds: number[] }).deviceIds))),
  });
  app.put('/api/v1/devices/watch/:lease', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Renew a watch lease',
      description: 'Any role. Moves `expiresAt` on; an expired or unknown lease: 404 (open a new one).',
      tags,
      params: LeaseParams,
      response: { 200: LeaseOut },
    },
    handler: async (request) => leaseOut(await d.renewWatch((request.params as { lease: string }).lease)),
  });
  app.delete('/api/v1/devices/watch/:lease', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'End a watch lease',
      description: 'Any role. Answers 204, also when the lease had already ended.',
      tags,
      params: LeaseParams,
    },
    handler: async (request, reply) => {
      await d.endWatch((request.params as { lease: string }).lease);
      return reply.code(204).send();
    },
  });
}

export async function deviceRoutes(app: FastifyInstance, opts: DeviceRouteOptions): Promise<void> {
  readRoutes(app, opts.devices);
  adminRoutes(app, opts.devices);
  watchRoutes(app, opts.devices);
  discoveryRoutes(app, opts.devices);
}
