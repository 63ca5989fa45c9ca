/**
 * Configuration sections through the API (issue 15 item 5; PRODUCT E3): every
 * setting `config import` can change — system (name, location, time zone),
 * networks, modbus (server, serial lines), web, devices, acquisition,
 * wireless, inputs, audit, history — read and replaced one section at a time
 * by an admin. A replacement is validated with the rest of the stored
 * configuration (the one schema and the cross-field rules): invalid → 400
 * with every problem as `{ path, message }` and nothing stored; another
 * writer changed the section meanwhile → 409. Every change is audited with
 * who made it and from where. `GET /api/v1/config/schema` is the JSON Schema
 * the forms validate with before sending.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { CONFIG_SECTIONS, ConfigSchema, type ConfigSection } from '../../config/schema.js';
import type { ConfigService } from '../../config/service.js';
import { ADMIN_ONLY } from '../../security/roles.js';
import type { Remote } from '../../shared/rpc.js';
import { changeMeta } from '../change-meta.js';

export interface ConfigRouteOptions {
  /** The configuration service on the main thread (through Rpc in the web worker). */
  readonly config: Remote<ConfigService>;
}

const SectionParams = Type.Object({ section: Type.Enum([...CONFIG_SECTIONS]) });
const DryRun = Type.Object({
  dryRun: Type.Optional(
    Type.Boolean({
      description: 'validate only: the same answer (or the same 400), nothing stored, not audited',
    }),
  ),
});
const SectionOut = Type.Object({
  section: Type.String(),
  revision: Type.Integer({ description: 'configuration revision after this answer' }),
  value: Type.Unknown({ description: 'the section, as in `config export` (see /api/v1/config/schema)' }),
});

/** The schema as plain JSON (typebox keeps its own symbols out of JSON.stringify). */
const SCHEMA_JSON = JSON.parse(JSON.stringify(ConfigSchema)) as unknown;

export async function configRoutes(app: FastifyInstance, opts: ConfigRouteOptions): Promise<void> {
  const tags = ['config'];
  app.get('/api/v1/config/schema', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'The JSON Schema of the configuration (what the settings forms validate with)',
      description:
        'Admin only. The one schema every configuration section is validated with (cross-field rules ' +
        'are checked on write): a client can check a section before PUT /api/v1/config/{section}.',
      tags,
    },
    handler: async () => SCHEMA_JSON,
  });
  app.get('/api/v1/config/:section', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'One configuration section',
      description: `Sections: ${CONFIG_SECTIONS.join(', ')}.`,
      tags,
      params: SectionParams,
      response: { 200: SectionOut },
    },
    handler: async (request) => opts.config.read((request.params as { section: ConfigSection }).section),
  });
  app.put('/api/v1/config/:section', {
    config: { access: ADMIN_ONLY },
    schema: {
      summary: 'Replace one configuration section (validated with the whole configuration; audited)',
      description:
        'The body is the whole section. Invalid: 400 WG_ERR_INVALID_CONFIG with `details`, a list of ' +
        '{ path, message } naming each field and rule; nothing is stored. Changed by another writer ' +
        'meanwhile: 409. Some changes are refused by rule (e.g. wireless.permanentlyDisabled back to false). ' +
        'With `?dryRun=true` the section is validated the same way and nothing is stored: the settings ' +
        'forms use it to show problems beside the fields as they are typed.',
      tags,
      params: SectionParams,
      querystring: DryRun,
      body: Type.Unknown(),
      response: { 200: SectionOut },
    },
    handler: async (request) => {
      const { section } = request.params as { section: ConfigSection };
      if ((request.query as { dryRun?: boolean }).dryRun === true)
        return opts.config.check(section, request.body);
      return opts.config.write(section, request.body, changeMeta(request));
    },
  });
}
