/**
 * The `audit` configuration section (PRODUCT S6; SECURITY D2, D4): the
 * capacity of the audit ring in records (a warning at 80 %, the oldest records
 * evicted beyond it, with a checkpoint) and whether the client's address is
 * recorded (switch off where privacy rules demand it).
 */
import type { Static } from 'typebox';
import Type from 'typebox';

export const AUDIT_CAPACITY_DEFAULT = 100_000;

export const AuditSchema = Type.Object(
  {
    capacity: Type.Integer({ minimum: 1000, maximum: 10_000_000, default: AUDIT_CAPACITY_DEFAULT }),
    recordSource: Type.Boolean({ default: true }),
  },
  { additionalProperties: false, default: {} },
);

export type AuditConfig = Static<typeof AuditSchema>;
