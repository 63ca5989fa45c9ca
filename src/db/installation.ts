/**
 * The installation's identity, created at first start in the settings database
 * and then never changed (a factory reset deletes the database and so makes a
 * new one). The serial number follows the reference's layout "PP YY WW D nnnn"
 * (11 characters): plant "WG", ISO year and week of the first start, ISO day of
 * the week, and four random base-36 characters — so two installations set up on
 * the same day still differ, and the number says when the box was commissioned.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { type Clock, systemClock } from '../shared/clock.js';
import { migrationsDir, runMigrations } from './migrations.js';

export const INSTALLATION_STORE = 'installation';

export interface Installation {
  id: string;
  serial: string;
  createdAt: string;
}

const BASE36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ISO-8601 week-numbering year, week (1–53) and weekday (1 = Monday … 7 = Sunday), UTC. */
export function isoWeek(ms: number): { year: number; week: number; day: number } {
  const d = new Date(ms);
  const day = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - day);
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return { year, week, day };
}

export function makeSerial(ms: number, random: (max: number) => number = randomInt): string {
  const { year, week, day } = isoWeek(ms);
  let tail = '';
  for (let i = 0; i < 4; i++) tail += BASE36[random(36)];
  return `WG${String(year % 100).padStart(2, '0')}${String(week).padStart(2, '0')}${day}${tail}`;
}

/** Reads the installation identity, creating it on first use (in one transaction). */
export function loadInstallation(db: Database.Database, opts: { clock?: Clock } = {}): Installation {
  const clock = opts.clock ?? systemClock;
  runMigrations(db, { store: INSTALLATION_STORE, dir: migrationsDir(import.meta.url), clock });
  const read = () =>
    db.prepare('SELECT id, serial, created_at AS createdAt FROM installation WHERE singleton = 1').get() as
      | Installation
      | undefined;
  return db
    .transaction(() => {
      const existing = read();
      if (existing) return existing;
      const now = clock.now();
      const created: Installation = {
        id: randomUUID(),
        serial: makeSerial(now),
        createdAt: new Date(now).toISOString(),
      };
      db.prepare('INSERT INTO installation (singleton, id, serial, created_at) VALUES (1, ?, ?, ?)').run(
        created.id,
        created.serial,
        created.createdAt,
      );
      return created;
    })
    .immediate();
}
