/** Schema pieces the devices routes (devices.ts, devices-discovery.ts) share. */
import Type from 'typebox';

export const closed = { additionalProperties: false } as const;
export const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(?:.*\\S)?$' });
export const Host = Type.String({ minLength: 1, maxLength: 253 });
export const When = Type.String({ description: 'ISO 8601 UTC' });
export const NullableWhen = Type.Union([When, Type.Null()]);
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
