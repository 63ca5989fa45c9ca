/**
 * Oracle for the built-in wireless models: the reference's public register
 * tables (reference/modbus-map/*.tsv, rev 06) are parsed HERE, on
 * their own — columns found by header name, address = register − 1, the
 * TSV type names mapped to ours (BITMAP by its register count), N° = register
 * count, "-" = no unit — and every built-in model whose source is a public
 * register map is compared register for register with its TSV: every row is
 * in the model at the same address (holding table, FC 3) with the same type,
 * register count, unit, access (RW) and invalid marker (BITMAP excepted: 0 is
 * also "no alarm", see data-types.ts), and the model has nothing the TSV does
 * not list. Every family TSV is covered, models of one family agree, and the
 * family's commercial references (Commercial_References.tsv) are split among
 * its models without loss or overlap.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Measurement, ResolvedModel } from '../../src/devices/model-schema.js';
import { builtInTemplates } from '../../src/devices/models/index.js';
import { DataTypes } from '../../src/protocol/modbus/data-types.js';

const MAP_DIR = fileURLToPath(new URL('../../reference/modbus-map/', import.meta.url));
/** Third-party wired meters: checked against their own fixtures by device-models-third-party.test.ts. */
const THIRD_PARTY_DIR = fileURLToPath(new URL('../fixtures/public-maps/', import.meta.url));
const FAMILY_TSVS = [
  'Acti9_Active',
  'CL110',
  'CO2_sensors',
  'PTE63_PoTag_QO',
  'PTE_Rope_PoTag_Rope',
  'PTEnergy250_630_PoTag_Efram',
  'Partial_Discharge_Box',
  'PowerLogic_HeatTag',
  'PowerTagC2DI',
  'PowerTagCIO',
  'TH110',
  'Temperature_sensors_TRH',
  'Wireless_indication_auxiliary',
];

interface Row {
  readonly register: number;
  readonly count: number;
  readonly rw: boolean;
  readonly unit: string;
  readonly type: string;
  readonly invalid: string;
}

function tsvType(name: string, count: number): string {
  const types: Record<string, string> = {
    Float32: 'float32',
    Float64: 'float64',
    INT16: 'int16',
    UINT16: 'uint16',
    INT32: 'int32',
    UINT32: 'uint32',
    INT64: 'int64',
    UINT64: 'uint64',
    ASCII: 'string',
    DATETIME: 'datetime',
    'DATE-TIME': 'datetime',
  };
  if (name === 'BITMAP') return count === 1 ? 'bitmap16' : 'bitmap32';
  const t = types[name];
  assert.ok(t, `unknown TSV type ${name}`);
  return t;
}

function parseTsv(file: string): Row[] {
  const lines = readFileSync(`${MAP_DIR}${file}.tsv`, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split('\t').map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    assert.ok(i >= 0, `${file}: no column ${name}`);
    return i;
  };
  const [reg, n, rw, unit, type, inv] = ['Register (dec)', 'N°', 'RW', 'Unit', 'Type', 'Invalid Value'].map(
    col,
  );
  const rows: Row[] = [];
  for (const line of lines.slice(1)) {
    const c = line.split('\t').map((x) => x.trim());
    if (!/^\d+$/.test(c[reg as number] ?? '')) continue;
    const count = Number(c[n as number]);
    rows.push({
      register: Number(c[reg as number]),
      count,
      rw: c[rw as number] === 'RW',
      unit: c[unit as number] === '-' ? '' : (c[unit as number] ?? ''),
      type: tsvType(c[type as number] ?? '', count),
      invalid: c[inv as number] ?? '',
    });
  }
  return rows;
}

/** The TSV's invalid value as canonical registers ("0xFFC00000" → [0xffc0, 0]). */
function markerWords(hex: string): number[] {
  const digits = hex.replace(/^0x/i, '');
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 4) out.push(Number.parseInt(digits.slice(i, i + 4), 16));
  return out;
}

function modelMarker(m: Measurement, count: number): number[] | null {
  if (m.invalid !== undefined) return m.invalid.length === 0 ? null : [...m.invalid];
  const ref = DataTypes[m.type].invalid;
  if (ref === 'zero') return new Array<number>(count).fill(0);
  return ref === null ? null : [...ref];
}

const registersOf = (m: Measurement) => DataTypes[m.type].registers ?? m.registers;

function compare(model: ResolvedModel, rows: readonly Row[]): number {
  const byAddress = new Map(model.measurements.map((m) => [m.address, m]));
  for (const r of rows) {
    const at = `${model.id} register ${r.register} (address ${r.register - 1})`;
    const m = byAddress.get(r.register - 1);
    assert.ok(m, `${at}: missing in the model`);
    assert.equal(m.table, 'holding', `${at}: table`);
    assert.equal(m.type, r.type, `${at}: type`);
    assert.equal(registersOf(m), r.count, `${at}: register count`);
    assert.equal(m.unit, r.unit, `${at}: unit`);
    assert.equal(m.access === 'rw', r.rw, `${at}: access`);
    if (!r.type.startsWith('bitmap'))
      assert.deepEqual(modelMarker(m, r.count), markerWords(r.invalid), `${at}: marker`);
  }
  const listed = new Set(rows.map((r) => r.register - 1));
  for (const m of model.measurements) {
    assert.ok(listed.has(m.address), `${model.id} ${m.key} at address ${m.address}: not in the TSV`);
  }
  assert.equal(model.measurements.length, rows.length, `${model.id}: one measurement per TSV row`);
  return rows.length;
}

/** Tab name (Commercial_References "Go to tab") → file name, e.g. "PTE Rope-PoTag  Rope" → PTE_Rope_PoTag_Rope. */
const tabFile = (tab: string) =>
  tab
    .trim()
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

function referencesByFile(): Map<string, string[]> {
  const lines = readFileSync(`${MAP_DIR}Commercial_References.tsv`, 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('Commercial References of Supported Wireless'));
  const out = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    const [ref = '', , , tab = ''] = line.split('\t').map((x) => x.trim());
    if (ref === '' || tab === '') continue;
    const list = out.get(tabFile(tab)) ?? [];
    list.push(ref);
    out.set(tabFile(tab), list);
  }
  return out;
}

function publicModels(): Map<string, ResolvedModel[]> {
  const out = new Map<string, ResolvedModel[]>();
  for (const model of builtInTemplates().models) {
    if (model.source.kind !== 'public-register-map') continue;
    if (existsSync(`${THIRD_PARTY_DIR}${model.id}.tsv`)) continue;
    const file = /reference\/modbus-map\/([A-Za-z0-9_]+)\.tsv/.exec(model.source.document ?? '')?.[1];
    assert.ok(file, `${model.id}: source.document names no TSV`);
    out.set(file, [...(out.get(file) ?? []), model]);
  }
  return out;
}

test('oracle: every built-in wireless model matches its TSV register for register', () => {
  const models = publicModels();
  assert.deepEqual(
    [...models.keys()].sort(),
    [...FAMILY_TSVS].sort(),
    'every family TSV has models, and only those',
  );
  let compared = 0;
  let tsvRows = 0;
  for (const file of FAMILY_TSVS) {
    const rows = parseTsv(file);
    tsvRows += rows.length;
    for (const model of models.get(file) ?? []) compared += compare(model, rows);
  }
  const n = [...models.values()].flat().length;
  console.log(`oracle: ${FAMILY_TSVS.length} TSVs (${tsvRows} rows), ${n} models, ${compared} rows compared`);
  assert.ok(tsvRows > 700);
});

test('oracle: commercial references are split among the models of their family, none lost or shared', () => {
  const refs = referencesByFile();
  for (const [file, models] of publicModels()) {
    const given = models.flatMap((m) => m.references ?? []);
    assert.deepEqual([...given].sort(), [...(refs.get(file) ?? [])].sort(), file);
    assert.equal(new Set(given).size, given.length, `${file}: a reference in two models`);
  }
});

test('oracle: wireless communication periods; energy sensors within 5–60 s (PRODUCT W5)', () => {
  for (const model of [...publicModels().values()].flat()) {
    const period = model.wireless?.periodSeconds;
    assert.ok(period !== undefined, `${model.id}: wireless.periodSeconds`);
    if (model.measurements.some((m) => m.unit === 'Wh')) assert.ok(period >= 5 && period <= 60, model.id);
  }
});
