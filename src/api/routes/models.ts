/**
 * Device models (PRODUCT L1): list the catalog (summaries), get one model as
 * an importable document, import a custom model (JSON text or object; every
 * problem listed with its JSON path, 400; an id taken by a built-in, or by a
 * custom model without `replace`, 409), create one from the generic meter
 * layout (src/devices/models/generic-meter.ts), delete a custom model (a
 * built-in or a model still used by a device: 409). Reading is open to every
 * role by default (models hold no secret, the pages need names and units);
 * changes are admin only. Every change is reported to `audit` with the actor.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { DeviceModelSchema, MODEL_ID_PATTERN } from '../../devices/model-schema.js';
import {
  GENERIC_METER_TYPES,
  type GenericMeterOptions,
  genericMeterModel,
  type ModelCatalog,
  summarize,
} from '../../devices/models/index.js';
import { ADMIN_ONLY, ANY_ROLE, type Role } from '../../security/roles.js';
import { ErrorCodes, WattgateError } from '../../shared/errors.js';
import type { Awaitable, Remote } from '../../shared/rpc.js';
import type { RequestAuth } from '../types.js';

export interface ModelAuditEvent {
  readonly type: 'model.imported' | 'model.replaced' | 'model.deleted';
  readonly id: string;
  readonly actor: string;
}

/** What the routes use of the catalog (the web worker reaches main's catalog through Rpc). */
export type ModelCatalogApi = Remote<
  Pick<ModelCatalog, 'summaries' | 'require' | 'isBuiltIn' | 'isCustom' | 'importCustom' | 'removeCustom'>
>;

export interface ModelRouteOptions {
  readonly catalog: ModelCatalogApi;
  /** Names of the devices that use a model; a model in use cannot be deleted. Default: none. */
  readonly usedBy?: (modelId: string) => Awaitable<readonly string[]>;
  /** Told about every import, replacement and deletion (the audit log). */
  readonly audit?: (event: ModelAuditEvent) => void;
  /** Roles that may read models; default every role. */
  readonly readAccess?: readonly Role[];
}

const closed = { additionalProperties: false } as const;
const Id = Type.String({ pattern: MODEL_ID_PATTERN });
const Order = Type.Enum(['big', 'little']);
const Summary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  family: Type.String(),
  source: Type.String(),
  builtIn: Type.Boolean(),
  measurements: Type.Integer(),
  references: Type.Array(Type.String()),
  periodSeconds: Type.Optional(Type.Integer()),
});
const ImportBody = Type.Object(
  {
    model: Type.Unknown({ description: 'the model: a JSON object or its text (templates/schema.json)' }),
    replace: Type.Optional(Type.Boolean({ description: 'overwrite the custom model with this id' })),
  },
  closed,
);
const GenericBody = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    phases: Type.Union([Type.Literal(1), Type.Literal(3)]),
    base: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff })),
    type: Type.Optional(Type.Enum([...GENERIC_METER_TYPES])),
    table: Type.Optional(Type.Enum(['holding', 'input'])),
    byteOrder: Type.Optional(Order),
    wordOrder: Type.Optional(Order),
    replace: Type.Optional(Type.Boolean()),
  },
  closed,
);

type ImportRequest = { model: unknown; replace?: boolean };
type GenericRequest = GenericMeterOptions & { replace?: boolean };

const actor = (auth: RequestAuth | null) => auth?.name ?? 'unknown';

function readRoutes(app: FastifyInstance, opts: ModelRouteOptions): void {
  const { catalog } = opts;
  const config = { access: opts.readAccess ?? ANY_ROLE };
  app.get('/api/v1/models', {
    config,
    schema: {
      summary: 'List device models',
      description:
        'Every role by default (models hold no secret). The catalog, built-in and custom: id, name, ' +
        'family, source, number of measurements and the commercial references each matches.',
      tags: ['models'],
      response: { 200: Type.Array(Summary) },
    },
    handler: async () => catalog.summaries(),
  });
  app.get('/api/v1/models/:id', {
    config,
    schema: {
      summary: 'One device model, as an importable document',
      description:
        'Every role by default. The whole model document (the format of templates/schema.json), ' +
        'built-in or custom; unknown id: 404.',
      tags: ['models'],
      params: Type.Object({ id: Id }),
      response: { 200: DeviceModelSchema },
    },
    handler: async (request) => catalog.require((request.params as { id: string }).id),
  });
}

/** Imports (or replaces) a custom model and reports it; the answer's summary. */
async function save(opts: ModelRouteOptions, doc: unknown, replace: boolean | undefined, who: string) {
  const id = typeof doc === 'object' && doc !== null ? (doc as { id?: unknown }).id : undefined;
  const existed = typeof id === 'string' && (await opts.catalog.isCustom(id));
  const model = await opts.catalog.importCustom(doc, replace === undefined ? {} : { replace });
  opts.audit?.({ type: existed ? 'model.replaced' : 'model.imported', id: model.id, actor: who });
  return summarize(model, false);
}

function writeRoutes(app: FastifyInstance, opts: ModelRouteOptions): void {
  const config = { access: ADMIN_ONLY };
  app.post('/api/v1/models', {
    config,
    schema: {
      summary: 'Import a custom device model',
      description:
        'Admin only. `model` is the JSON object or its text; every problem is listed in `details` with its ' +
        'JSON path (400). An id taken by a built-in model, or by a custom one without `replace`: 409. ' +
        'Answers 201 with its summary; recorded in the audit log (model.imported or model.replaced).',
      tags: ['models'],
      body: ImportBody,
      response: { 201: Summary },
    },
    handler: async (request, reply) => {
      const body = request.body as ImportRequest;
      const doc = typeof body.model === 'string' ? parseOrKeep(body.model) : body.model;
      return reply.code(201).send(await save(opts, doc, body.replace, actor(request.auth)));
    },
  });
  app.post('/api/v1/models/generic-meter', {
    config,
    schema: {
      summary: "Create a custom model on Wattgate's generic meter layout",
      description:
        'Admin only. Builds the model from the phases, base address, value type, register table and byte ' +
        'and word order given, then imports it as POST /api/v1/models does (same 400 and 409; audited).',
      tags: ['models'],
      body: GenericBody,
      response: { 201: Summary },
    },
    handler: async (request, reply) => {
      const { replace, ...options } = request.body as GenericRequest;
      return reply.code(201).send(await save(opts, genericMeterModel(options), replace, actor(request.auth)));
    },
  });
  app.delete('/api/v1/models/:id', {
    config,
    schema: {
      summary: 'Delete a custom device model',
      description:
        'Admin only. A built-in model, or one still used by a device (named in the message): 409; no ' +
        'custom model with this id: 404. Answers 204; recorded in the audit log as model.deleted.',
      tags: ['models'],
      params: Type.Object({ id: Id }),
    },
    handler: async (request, reply) => {
      await remove(opts, (request.params as { id: string }).id, actor(request.auth));
      return reply.code(204).send();
    },
  });
}

/** The route plugin: `app.register(modelRoutes, { catalog, usedBy, audit })`. */
export async function modelRoutes(app: FastifyInstance, opts: ModelRouteOptions): Promise<void> {
  readRoutes(app, opts);
  writeRoutes(app, opts);
}

/** JSON text stays text when it does not parse: the import then reports it with its position. */
function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function remove(opts: ModelRouteOptions, id: string, who: string): Promise<void> {
  const { catalog } = opts;
  if (await catalog.isBuiltIn(id))
    throw new WattgateError(ErrorCodes.CONFLICT, `"${id}" is a built-in model and cannot be deleted`);
  if (!(await catalog.isCustom(id)))
    throw new WattgateError(ErrorCodes.NOT_FOUND, `no custom device model "${id}"`);
  const users = (await opts.usedBy?.(id)) ?? [];
  if (users.length > 0)
    throw new WattgateError(ErrorCodes.CONFLICT, `device model "${id}" is used by ${users.join(', ')}`);
  await catalog.removeCustom(id);
  opts.audit?.({ type: 'model.deleted', id, actor: who });
}
