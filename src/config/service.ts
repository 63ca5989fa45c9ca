/**
 * The configuration as the API sees it (issue 15 item 5: every setting that
 * `config import` can change is readable and changeable through the API): one
 * section read, one section replaced — validated with the rest of the stored
 * configuration like any change (INVALID_CONFIG with `{ path, message }` for
 * each problem, nothing stored), audited with who made it (the store's commit
 * listeners), CONFLICT when another writer changed that section meanwhile.
 * A dry run (`check`) validates exactly the same way and stores nothing: the
 * settings forms show the API's own problems beside the fields as the admin
 * types, with the cross-field rules a browser-side schema check cannot know.
 */
import { CONFIG_SECTIONS, type ConfigSection } from './schema.js';
import type { ChangeMeta, ConfigStore } from './store.js';

export interface SectionValue {
  readonly section: ConfigSection;
  readonly revision: number;
  readonly value: unknown;
}

export interface ConfigService {
  sections(): readonly ConfigSection[];
  read(section: ConfigSection): SectionValue;
  write(section: ConfigSection, value: unknown, by: ChangeMeta): SectionValue;
  /** Validates like `write` (same problems, same defaults filled) and stores nothing: a dry run. */
  check(section: ConfigSection, value: unknown): SectionValue;
}

export function configService(store: ConfigStore): ConfigService {
  const read = (section: ConfigSection): SectionValue => ({
    section,
    revision: store.revision,
    value: store.section(section),
  });
  return {
    sections: () => CONFIG_SECTIONS,
    read,
    write(section, value, by) {
      store.update(section, value, by);
      return read(section);
    },
    check(section, value) {
      return { section, revision: store.revision, value: store.preview(section, value)[section] };
    },
  };
}
