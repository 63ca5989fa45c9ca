/**
 * Oracle for the built-in wired meters of other makers (issue 15, item 7):
 * each model `<id>` has a fixture test/fixtures/public-maps/<id>.tsv
 * transcribed by hand from its public register map, in the map's own
 * notation — registers as the source writes them (`# addressing:` hex0 =
 * hexadecimal 0-based protocol addresses, dec0 = decimal 0-based, dec1 =
 * decimal 1-based register numbers, address = register − 1), the source's
 * type names, scale per count in the source's unit (kW, kWh, kvarh …), the
 * table and the word order (`# wordorder:`). The fixture is parsed HERE, on
 * its own, converted to protocol address / our type / our unit, and every
 * measurement of the model (loaded through the real loader) must be a row
 * of the fixture with the same address, table, type, register count, scale
 * and unit; every row marked `required` must be in the model. The last test
 * mutates a model (an address off by one, a scale, a table, a word order)
 * and checks that the comparison catches each mutation.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Measurement, ResolvedModel } from '../../src/devices/model-schema.js';
import { builtInTemplates, ModelCatalog } from '../../src/devices/models/index.js';
import { DataTypes } from '../../src/protocol/modbus/data-types.js';

const DIR = fileURLToPath(new URL('../fixtures/public-maps/', import.meta.url));
const MODELS = [
  'abb-b23-b24',
  'carlo-gavazzi-em24',
  'carlo-gavazzi-em340',
  'eastron-sdm120',
  'eastron-sdm630',
  'janitza-umg96',
  'schneider-iem3000',
  'schneider-pm5000',
];

interface Row {
  readonly line: number;
  readonly documented: string;
  readonly quantity: string;
  readonly address: number;
  readonly table: 'holding' | 'input';
  readonly type: Measurement['type'];
  readonly registers: number;
  readonly scale: number;
  readonly unit: string;
  readonly required: boolean;
}

interface Fixture {
  readonly source: string;
  readonly wordOrder: 'big' | 'little';
  readonly rows: readonly Row[];
}

/** The sources' type names → ours (strings carry their length in registers). */
function parseType(text: string): { type: Measurement['type']; registers: number } {
  const str = /^(?:UTF8|ASCII)\((\d+)\)$/i.exec(text);
  if (str) return { type: 'string', registers: Number(str[1]) };
  const table: Record<string, Measurement['type']> = {
    FLOAT32: 'float32',
    FLOAT: 'float32',
    INT64: 'int64',
    UINT64: 'uint64',
    INT32: 'int32',
    UINT32: 'uint32',
    INT32U: 'uint32',
    INT16: 'int16',
    UINT16: 'uint16',
    INT16U: 'uint16',
  };
  const type = table[text.toUpperCase()];
  if (type === undefined) throw new Error(`unknown source type ${text}`);
  return { type, registers: DataTypes[type].registers ?? 0 };
}

/** The sources' units → ours and the factor from theirs to ours. */
function parseUnit(text: string): { unit: string; factor: number } {
  const units: Record<string, [string, number]> = {
    V: ['V', 1],
    A: ['A', 1],
    W: ['W', 1],
    KW: ['W', 1000],
    VA: ['VA', 1],
    KVA: ['VA', 1000],
    VAR: ['VAR', 1],
    KVAR: ['VAR', 1000],
    WH: ['Wh', 1],
    KWH: ['Wh', 1000],
    VARH: ['VARh', 1],
    KVARH: ['VARh', 1000],
    VAH: ['VAh', 1],
    KVAH: ['VAh', 1000],
    HZ: ['Hz', 1],
    '-': ['', 1],
    DEG: ['°', 1],
    '%': ['%', 1],
  };
  const u = units[text.toUpperCase()];
  if (u === undefined) throw new Error(`unknown source unit ${text}`);
  return { unit: u[0], factor: u[1] };
}

function parseRegister(text: string, addressing: string): number {
  if (addressing === 'hex0') return Number.parseInt(text.replace(/^0x/i, '').replace(/h$/i, ''), 16);
  const n = Number.parseInt(text, 10);
  if (addressing === 'dec0') return n;
  if (addressing === 'dec1') return n - 1;
  throw new Error(`unknown addressing ${addressing}`);
}

function parseFixture(text: string): Fixture {
  const directive = (name: string) => new RegExp(`^# ${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const addressing = directive('addressing') ?? '';
  const wordOrder = directive('wordorder');
  assert.ok(wordOrder === 'big' || wordOrder === 'little', 'a # wordorder: line');
  const source = /^# source:\s*(.+)$/m.exec(text)?.[1] ?? '';
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.startsWith('register\t'));
  assert.ok(header >= 0, 'a header line');
  const cols = (lines[header] as string).split('\t');
  const at = (cells: string[], name: string) => cells[cols.indexOf(name)] ?? '';
  const rows: Row[] = [];
  lines.forEach((line, i) => {
    if (i <= header || line.trim() === '' || line.startsWith('#')) return;
    const cells = line.split('\t');
    const { type, registers } = parseType(at(cells, 'type'));
    const { unit, factor } = parseUnit(at(cells, 'unit'));
    const table = at(cells, 'table');
    assert.ok(table === 'holding' || table === 'input', `line ${i + 1}: table`);
    rows.push({
      line: i + 1,
      documented: at(cells, 'register'),
      quantity: at(cells, 'quantity'),
      address: parseRegister(at(cells, 'register'), addressing),
      table,
      type,
      registers,
      scale: Number(at(cells, 'scale')) * factor,
      unit,
      required: at(cells, 'required') === 'yes',
    });
  });
  return { source, wordOrder, rows };
}

const fixture = (id: string) => parseFixture(readFileSync(`${DIR}${id}.tsv`, 'utf8'));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/** Every difference between the model and its fixture, as text (empty when they agree). */
function compare(model: ResolvedModel, fx: Fixture): string[] {
  const problems: string[] = [];
  const at = (table: string, address: number) =>
    fx.rows.find((r) => r.table === table && r.address === address);
  for (const m of model.measurements) {
    const r = at(m.table ?? 'holding', m.address);
    const where = `${model.id} ${m.key} (${m.table} ${m.address})`;
    if (!r) {
      problems.push(`${where}: no row of the public map at this address`);
      continue;
    }
    const what = `${where} vs line ${r.line} "${r.documented} ${r.quantity}"`;
    if (m.type !== r.type) problems.push(`${what}: type ${m.type} ≠ ${r.type}`);
    const registers = m.registers ?? DataTypes[m.type].registers;
    if (registers !== r.registers) problems.push(`${what}: ${registers} registers ≠ ${r.registers}`);
    if (m.type !== 'string' && !close(m.scale ?? 1, r.scale))
      problems.push(`${what}: scale ${m.scale ?? 1} ≠ ${r.scale}`);
    if (m.unit !== r.unit) problems.push(`${what}: unit "${m.unit}" ≠ "${r.unit}"`);
    const multi = m.type !== 'string' && (DataTypes[m.type].registers ?? 1) > 1;
    if (multi && (m.wordOrder ?? 'big') !== fx.wordOrder) problems.push(`${what}: word order ${m.wordOrder}`);
    if ((m.byteOrder ?? 'big') !== 'big') problems.push(`${what}: byte order ${m.byteOrder}`);
  }
  for (const r of fx.rows.filter((x) => x.required)) {
    const found = model.measurements.some(
      (m) => (m.table ?? 'holding') === r.table && m.address === r.address,
    );
    if (!found)
      problems.push(`${model.id}: required row line ${r.line} "${r.documented} ${r.quantity}" missing`);
  }
  return problems;
}

function builtIn(id: string): ResolvedModel {
  const model = ModelCatalog.open().get(id);
  assert.ok(model, `built-in model ${id}`);
  return model;
}

test('third-party oracle: a fixture for each wired meter model, and a model for each fixture', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.tsv'));
  assert.deepEqual(files.map((f) => f.slice(0, -4)).sort(), [...MODELS].sort());
  for (const id of MODELS) {
    const m = builtIn(id);
    assert.equal(m.source.kind, 'public-register-map', id);
    assert.ok((m.source.document ?? '').length > 10, `${id}: source document named`);
    assert.ok(fixture(id).source.length > 10, `${id}: fixture names its source`);
  }
  const ids = builtInTemplates().models.map((m) => m.id);
  for (const id of MODELS) assert.ok(ids.includes(id), id);
});

test('third-party oracle: every measurement matches its public map, every required row is in the model', () => {
  let compared = 0;
  let rows = 0;
  for (const id of MODELS) {
    const model = builtIn(id);
    const fx = fixture(id);
    assert.deepEqual(compare(model, fx), [], id);
    compared += model.measurements.length;
    rows += fx.rows.length;
  }
  console.log(`third-party oracle: ${MODELS.length} models, ${compared} measurements, ${rows} fixture rows`);
});

test('third-party oracle: the comparison catches an address off by one, a wrong scale, table or word order', () => {
  const model = builtIn('carlo-gavazzi-em340');
  const fx = fixture('carlo-gavazzi-em340');
  const mutate = (key: string, change: Partial<Measurement>): ResolvedModel => ({
    ...model,
    measurements: model.measurements.map((m) => (m.key === key ? { ...m, ...change } : m)),
  });
  const va = model.measurements.find((m) => m.key === 'VAN') as Measurement;
  assert.deepEqual(compare(model, fx), []);
  const offByOne = compare(mutate('VAN', { address: va.address + 1 }), fx);
  assert.ok(
    offByOne.some((p) => /VAN .*no row|missing/.test(p)),
    offByOne.join('\n'),
  );
  assert.ok(compare(mutate('IA', { scale: 0.01 }), fx).some((p) => /IA .*scale/.test(p)));
  assert.ok(compare(mutate('Freq', { table: 'holding' }), fx).some((p) => /Freq .*no row/.test(p)));
  assert.ok(compare(mutate('PTot', { wordOrder: 'big' }), fx).some((p) => /PTot .*word order/.test(p)));
  assert.ok(compare(mutate('EActDelTot', { unit: 'kWh' }), fx).some((p) => /EActDelTot .*unit/.test(p)));
  // 1-based documentation: a Schneider register taken as an address fails too.
  const iem = builtIn('schneider-iem3000');
  const shifted = { ...iem, measurements: iem.measurements.map((m) => ({ ...m, address: m.address + 1 })) };
  assert.ok(compare(shifted, fixture('schneider-iem3000')).length > 20);
});
