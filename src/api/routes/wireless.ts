/**
 * Wireless devices (PRODUCT W2, W4): the paired devices with their status
 * (connected / not connected, last seen, RSSI/LQI/PER, frames), the unknown
 * devices flagged for the admin, the radio and discovery state — readable by
 * every role; opening discovery (with optional install codes: 36 hex digits
 * as printed on labels, spaces and dashes allowed, each checksum verified by
 * the wireless part — 400 naming the code when it does not match),
 * removing a device and rebuilding the network are admin only and audited:
 * removal and rebuild through the configuration change of `devices.list`
 * (actor, its kind and the client address), opening discovery as its own
 * record (`wireless.discovery-opened`, SECURITY D1: a network opened to new
 * devices is a security event).
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { AuditEntry } from '../../security/audit/record.js';
import { ADMIN_ONLY, ANY_ROLE } from '../../security/roles.js';
import type { Remote } from '../../shared/rpc.js';
import type { WirelessPart } from '../../wireless/part.js';
import { changeMeta } from '../change-meta.js';

export interface WirelessRouteOptions {
  /** The wireless part, or its proxy in the web worker (every answer may be a promise). */
  wireless: Remote<Pick<WirelessPart, 'overview' | 'permitJoin' | 'remove' | 'rebuildNetwork'>>;
  /** Records an audit entry (opening discovery). */
  audit?: (entry: AuditEntry) => void;
}

const closed = { additionalProperties: false } as const;
const When = Type.Union([Type.String({ description: 'ISO 8601 UTC' }), Type.Null()]);
const Num = Type.Union([Type.Number(), Type.Null()]);
const DeviceOut = Type.Object({
  deviceId: Type.Integer({
    description: 'the device in /api/v1/devices (its series: modbus:<deviceId>_mb_<key>)',
  }),
  rfId: Type.String(),
  name: Type.String(),
  label: Type.String(),
  model: Type.String(),
  virtualId: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.String(),
  lastSeen: When,
  periodS: Type.Number(),
  rssi: Num,
  lqi: Num,
  per: Num,
  framesReceived: Type.Integer(),
  framesLost: Type.Integer(),
});
const UnknownOut = Type.Object({
  rfId: Type.String(),
  model: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
});
const RfParams = Type.Object({ rfId: Type.String({ pattern: '^[0-9A-Fa-f]{16}$' }) });
const PermitBody = Type.Object(
  {
    durationS: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600 })),
    installCodes: Type.Optional(
      Type.Array(
        Type.Object(
          {
            code: Type.String({
              minLength: 1,
              maxLength: 80,
              description:
                '36 hex digits as printed on the label (spaces and dashes allowed): 16 bytes and their CRC-16/X-25, verified (400 when it does not match)',
            }),
            rfId: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f]{16}$' })),
          },
          closed,
        ),
        { maxItems: 100 },
      ),
    ),
  },
  closed,
);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function wirelessRoutes(app: FastifyInstance, opts: WirelessRouteOptions): Promise<void> {
  const w = opts.wireless;
  app.get('/api/v1/wireless', {
    config: { access: ANY_ROLE },
    schema: {
      summary: 'Radio state, discovery, paired and unknown wireless devices',
      description:
        'Any role. Whether the radio is on (or permanently disabled), whether discovery is open and until ' +
        'when, each paired device with its status, last seen, RSSI/LQI/PER and frames, and the unknown ' +
        'devices seen (with why they were not paired).',
      tags: ['wireless'],
      response: {
        200: Type.Object({
          radioOn: Type.Boolean(),
          permanentlyDisabled: Type.Boolean(),
          discovery: Type.Object({ open: Type.Boolean(), until: When }),
          devices: Type.Array(DeviceOut),
          unknown: Type.Array(UnknownOut),
        }),
      },
    },
    handler: async () => {
      const o = await w.overview();
      return {
        radioOn: o.radioOn,
        permanentlyDisabled: o.permanentlyDisabled,
        discovery: { open: o.discovery.open, until: iso(o.discovery.until) },
        devices: o.devices.map((d) => ({ ...d, lastSeen: iso(d.lastSeen) })),
        unknown: o.unknown.map((u) => ({
          ...u,
          firstSeen: new Date(u.firstSeen).toISOString(),
          lastSeen: new Date(u.lastSeen).toISOString(),
        })),
      };
    },
  });
  app.post('/api/v1/wireless/discovery', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Open discovery (permit join), optionally with install codes',
      description:
        'Admin only. Opens for `durationS` (default: configuration `wireless.permitJoinSeconds`); an ' +
        'install code whose checksum does not match: 400 naming it; radio off: 503. Answers 204; recorded ' +
        'in the audit log as wireless.discovery-opened with how many codes (never the codes).',
      tags: ['wireless'],
      body: PermitBody,
    },
    handler: async (request, reply) => {
      const body = request.body as {
        durationS?: number;
        installCodes?: Array<{ code: string; rfId?: string }>;
      };
      await w.permitJoin({
        ...(body.durationS === undefined ? {} : { durationS: body.durationS }),
        ...(body.installCodes === undefined ? {} : { installCodes: body.installCodes }),
      });
      const by = changeMeta(request);
      opts.audit?.({
        category: 'service',
        event: 'wireless.discovery-opened',
        actor: { kind: by.actorKind ?? 'account', name: by.actor ?? 'unknown' },
        ...(by.source === undefined ? {} : { source: by.source }),
        result: 'success',
        // How many install codes, never the codes themselves (they admit a device to the network).
        details: { durationS: body.durationS ?? null, installCodes: body.installCodes?.length ?? 0 },
      });
      return reply.code(204).send();
    },
  });
  app.delete('/api/v1/wireless/devices/:rfId', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Remove (unpair) a wireless device',
      description:
        'Admin only. The device leaves the network and `devices.list` (audited as a configuration ' +
        'change with who); not paired: 404. Answers 204.',
      tags: ['wireless'],
      params: RfParams,
    },
    handler: async (request, reply) => {
      await w.remove((request.params as { rfId: string }).rfId, changeMeta(request));
      return reply.code(204).send();
    },
  });
  app.post('/api/v1/wireless/rebuild', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Rebuild the network: forget every device and open discovery',
      description:
        'Admin only. Every paired device is removed from `devices.list` (audited as a configuration ' +
        'change with who) and the unknown list is cleared; discovery then opens if the radio is on. Answers 204.',
      tags: ['wireless'],
    },
    handler: async (request, reply) => {
      await w.rebuildNetwork(changeMeta(request));
      return reply.code(204).send();
    },
  });
}
