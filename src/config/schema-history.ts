/**
 * The `history` configuration section (PRODUCT L4, P3; SECURITY I1, I4; the
 * design is in docs/history.md): ring capacity in points or bytes, the write
 * buffer (its flush interval is the crash loss window), chunk shaping, the
 * disk reserve, and the publication backlog kept for unacknowledged
 * publishers. Every field has a default.
 */
import type { Static } from 'typebox';
import Type from 'typebox';

const closed = { additionalProperties: false } as const;
const Int = (min: number, max: number, dflt: number, description?: string) =>
  Type.Integer({ minimum: min, maximum: max, default: dflt, ...(description ? { description } : {}) });

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export const HistorySchema = Type.Object(
  {
    capacity: Type.Object(
      {
        /** Which limit the ring enforces. */
        mode: Type.Enum(['points', 'bytes'], { default: 'points' }),
        /** The reference's advanced model: 3 years at 500 points a minute. */
        points: Int(10_000, 100_000_000_000, 788_400_000, 'points kept before the oldest are overwritten'),
        bytes: Int(16 * MIB, 16 * 1024 * GIB, 2 * GIB, 'bytes of database pages in use before overwriting'),
      },
      { ...closed, default: {} },
    ),
    /** Buffered points are written at least this often: the loss window of a crash. */
    flushIntervalMs: Int(100, 60_000, 5_000),
    /** A flush also starts when this many points wait. */
    flushPoints: Int(1, 1_000_000, 50_000),
    /** While writes fail (disk full), points wait in memory up to this many; newer ones are dropped. */
    maxBufferedPoints: Int(1_000, 50_000_000, 2_000_000),
    /** How often a failed write is retried. */
    retryIntervalMs: Int(100, 600_000, 10_000),
    chunk: Type.Object(
      {
        maxPoints: Int(16, 65_536, 1_024),
        /** A chunk never spans more time than this (ms). */
        maxSpanMs: Int(60_000, 31 * 86_400_000, 2 * 86_400_000),
        /** A series that stopped reporting has its open chunk sealed after this long (ms). */
        sealIdleMs: Int(60_000, 7 * 86_400_000, 6 * 3_600_000),
      },
      { ...closed, default: {} },
    ),
    /** Below this much free disk space history stops growing its file and overwrites its oldest data. */
    reserveFreeBytes: Int(0, 64 * GIB, 256 * MIB),
    publication: Type.Object(
      {
        /** Points kept for publishers that have not acknowledged them (1 month at 500 points/min). */
        backlogPoints: Int(0, 10_000_000_000, 21_600_000),
        /** The lag alarm rises when the backlog reaches this share of `backlogPoints`. */
        lagAlarmRatio: Type.Number({ minimum: 0.1, maximum: 1, default: 0.8 }),
      },
      { ...closed, default: {} },
    ),
  },
  { ...closed, default: {} },
);

export type HistoryConfig = Static<typeof HistorySchema>;
