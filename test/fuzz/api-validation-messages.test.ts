/**
 * Request-validation problems in the user's terms (src/api/validation-messages.ts),
 * fuzzed with the real validator: random bodies against a real fastify route
 * (TypeBox's validator compiler, as the API uses it) with a tagged union, an
 * enum, bounds, a pattern and a closed object. For every refused body: the
 * answer is 400 with at least one problem, each naming a path that exists in
 * the body or the schema (never "anyOf" or "schema is false"), no path twice
 * with the same message; a body that passes gives no problem. Oracle for the
 * union: when the body's `kind` is one of the branches', no problem is reported
 * under another branch's fields.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import fc from 'fast-check';
import Fastify from 'fastify';
import Type from 'typebox';
import { errorsPlugin } from '../../src/api/plugins/errors.js';
import { silentLogger } from '../../src/shared/logger.js';

const RUNS = Number(process.env.WATTGATE_FUZZ_RUNS ?? 0) || 500;
const closed = { additionalProperties: false } as const;
const Body = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 8, pattern: '^\\S(?:.*\\S)?$' }),
    period: Type.Enum([1, 5, 15]),
    location: Type.Union([
      Type.Object(
        {
          kind: Type.Literal('serial'),
          line: Type.String(),
          slave: Type.Integer({ minimum: 1, maximum: 247 }),
        },
        closed,
      ),
      Type.Object(
        {
          kind: Type.Literal('tcp'),
          host: Type.String({ minLength: 1 }),
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
        },
        closed,
      ),
    ]),
  },
  closed,
);
const FIELDS: Record<string, string[]> = { serial: ['line', 'slave'], tcp: ['host', 'port'] };

test('validation problems: every refusal names fields, never the validator internals', async () => {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  await app.register(errorsPlugin, { log: silentLogger });
  app.post('/x', { schema: { body: Body } }, async () => ({ ok: true }));
  await app.ready();
  const scalar = fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.integer({ min: -10, max: 70_000 }),
    fc.constant(null),
    fc.boolean(),
  );
  const location = fc.record(
    {
      kind: fc.oneof(fc.constantFrom('serial', 'tcp', 'modem'), scalar),
      line: scalar,
      slave: scalar,
      host: scalar,
      port: scalar,
      extra: scalar,
    },
    { requiredKeys: [] },
  );
  const body = fc.record({ name: scalar, period: scalar, location, colour: scalar }, { requiredKeys: [] });
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(body, async (b) => {
      const r = await app.inject({ method: 'POST', url: '/x', payload: b });
      if (r.statusCode === 200) return;
      assert.equal(r.statusCode, 400, r.body);
      refused++;
      const { details, message } = r.json() as {
        details: { path: string; message: string }[];
        message: string;
      };
      assert.ok(details.length > 0, r.body);
      assert.doesNotMatch(message, /anyOf|schema is false|must match a schema/);
      const keys = details.map((d) => `${d.path} ${d.message}`);
      assert.equal(new Set(keys).size, keys.length, `duplicates: ${keys.join(' | ')}`);
      const kind = (b.location as { kind?: unknown } | undefined)?.kind;
      if (kind === 'serial' || kind === 'tcp') {
        const other = FIELDS[kind === 'serial' ? 'tcp' : 'serial'] ?? [];
        for (const d of details)
          assert.ok(
            !other.some(
              (f) => d.path === `/location/${f}` && d.message !== 'unknown property is not allowed',
            ),
            `${kind}: ${keys.join(' | ')}`,
          );
      }
    }),
    { numRuns: RUNS },
  );
  assert.ok(refused > RUNS / 2, `refused ${refused} of ${RUNS}`);
  await app.close();
});
