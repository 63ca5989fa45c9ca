/**
 * The `web` configuration section (PRODUCT E1, S2, S5, S10; SECURITY A4, B2,
 * J2): the HTTPS server and its security settings, with defaults. The root
 * schema (schema.ts) includes it as `web: WebSchema`. Limits here are copied
 * into docs/operations.md.
 */
import type { Static } from 'typebox';
import Type from 'typebox';

const closed = { additionalProperties: false } as const;
const NETWORK_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,15}$';
const Ms = (min: number, max: number, dflt: number) =>
  Type.Integer({ minimum: min, maximum: max, default: dflt });

export const WebSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 443 }),
    /** Per network: is the HTTPS server listening there. A network not listed is off. */
    enabled: Type.Record(Type.String(), Type.Boolean(), {
      propertyNames: { pattern: NETWORK_NAME_PATTERN },
      default: { ETH1: true },
    }),
    /** Password rules: the reference's (8–50, 3 of 4 classes) or NIST 800-63B (15–64). */
    passwordProfile: Type.Enum(['reference', 'nist'], { default: 'reference' }),
    session: Type.Object(
      {
        idleTimeoutMs: Ms(60_000, 86_400_000, 15 * 60_000),
        absoluteTimeoutMs: Ms(300_000, 7 * 86_400_000, 12 * 3_600_000),
      },
      { ...closed, default: {} },
    ),
    loginThrottle: Type.Object(
      {
        /** Failures from one source address before its progressive delay starts. */
        freeFailures: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
        baseDelayMs: Ms(100, 60_000, 1000),
        maxDelayMs: Ms(1000, 600_000, 30_000),
      },
      { ...closed, default: {} },
    ),
    /**
     * HTTPS connections open at once, in all and from one source address:
     * one address (a slow-HTTP attacker, a broken script) cannot fill the
     * server and lock everyone else out (issue 14, "fair HTTPS").
     */
    connections: Type.Object(
      {
        max: Type.Integer({ minimum: 8, maximum: 4096, default: 256 }),
        perSource: Type.Integer({ minimum: 1, maximum: 1024, default: 48 }),
      },
      { ...closed, default: {} },
    ),
    /**
     * CPU priority (niceness, 0–19) of the web server's thread: above 0 it
     * yields CPU to the thread that serves Modbus when both want it.
     */
    threadNice: Type.Integer({ minimum: 0, maximum: 19, default: 10 }),
    hashing: Type.Object(
      {
        /** Password hashes computed at once; more wait in the queue, beyond it → 429. */
        maxConcurrent: Type.Integer({ minimum: 1, maximum: 8, default: 1 }),
        maxQueued: Type.Integer({ minimum: 0, maximum: 64, default: 4 }),
      },
      { ...closed, default: {} },
    ),
  },
  { ...closed, default: {} },
);

export type WebConfig = Static<typeof WebSchema>;
