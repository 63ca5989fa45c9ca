/**
 * Public surface of the storage module: opening databases with a durability
 * profile, the migration runner, and atomic file replacement.
 */
export { type AtomicWriteOptions, writeFileAtomic } from './atomic-file.js';
export {
  DB_FILE_MODE,
  type DbProfile,
  DEFAULT_BUSY_TIMEOUT_MS,
  type OpenDatabaseOptions,
  openDatabase,
} from './database.js';
export {
  INSTALLATION_STORE,
  type Installation,
  isoWeek,
  loadInstallation,
  makeSerial,
} from './installation.js';
export {
  type AppliedMigration,
  appliedMigrations,
  loadMigrations,
  type Migration,
  type MigrationResult,
  migrationsDir,
  type RunMigrationsOptions,
  runMigrations,
  sha256Hex,
} from './migrations.js';
