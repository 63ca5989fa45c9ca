/**
 * The import rule of docs/architecture.md, checked by dependency-cruiser in
 * `npm run lint`. Folders of src/ are layers; a module may import its own
 * folder and the layers BELOW it, never a layer above nor a sibling of the
 * same layer (acquisition, wireless and inputs do not know each other).
 * Type-only imports count too: a type from above is still knowledge of above.
 * Unit tests beside the code (`*.test.ts`) are outside the rule.
 *
 *   shared ← protocol ← transport ← db ← config ← modbus ← devices
 *     ← acquisition | wireless | inputs ← history ← alarms | publish
 *     ← security ← update | network ← api ← core ← webhost ← app.ts, parts.ts ← cli ← main.ts
 *
 * sim/ (simulators) may import src/ below the composition root; in src/ only
 * the composition root and the CLI import sim/ (the simulated radio and
 * inputs are default drivers, the demo builds its panel). Nothing in src/
 * or sim/ imports test/ or bench/. No cycles anywhere.
 */
const LAYERS = [
  ['shared'],
  ['protocol'],
  ['transport'],
  ['db'],
  ['config'],
  ['modbus'],
  ['devices'],
  ['acquisition', 'wireless', 'inputs'],
  ['history'],
  ['alarms', 'publish'],
  ['security'],
  ['update', 'network'],
  ['api'],
  ['core'],
  ['webhost'],
];
/** Files at the top of src/, above every folder: the composition root, then the CLI entry. */
const ROOT_FILES = ['app', 'parts'];
const folderRe = (names) => `^src/(${names.join('|')})/`;
const NOT_TEST = '\\.test\\.ts$';

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1).flat();
  return layer.map((name) => {
    const siblings = layer.filter((n) => n !== name);
    const forbidden = [...siblings, ...above];
    return {
      name: `layer-${name}`,
      comment: `src/${name}/ may import only its own folder and the layers below it (docs/architecture.md)`,
      severity: 'error',
      from: { path: `^src/${name}/`, pathNot: NOT_TEST },
      to: {
        path: [
          folderRe(forbidden.length > 0 ? forbidden : ['$^']),
          `^src/(${ROOT_FILES.join('|')}|main)\\.ts$`,
          '^src/cli/',
        ],
      },
    };
  });
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'web-ui-only-the-api',
      comment: 'the web UI (web/) runs in the browser and talks to Wattgate through the JSON API only',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: ['^src/', '^sim/', '^test/', '^bench/'] },
    },
    {
      name: 'root-not-cli',
      comment: 'the composition root (app.ts, parts.ts) is below the CLI and main.ts',
      severity: 'error',
      from: { path: `^src/(${ROOT_FILES.join('|')})\\.ts$` },
      to: { path: ['^src/cli/', '^src/main\\.ts$'] },
    },
    {
      name: 'cli-not-main',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: NOT_TEST },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'sim-only-from-the-top',
      comment: 'only the composition root, the CLI and main.ts may use the simulators',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(${ROOT_FILES.join('|')}|main)\\.ts$`, '^src/cli/', NOT_TEST] },
      to: { path: '^sim/' },
    },
    {
      name: 'sim-below-the-root',
      comment: 'simulators use the parts, never the composition root or the CLI',
      severity: 'error',
      from: { path: '^sim/', pathNot: NOT_TEST },
      to: { path: [`^src/(${ROOT_FILES.join('|')}|main)\\.ts$`, '^src/cli/'] },
    },
    {
      name: 'no-tests-in-the-product',
      comment: 'test helpers and benchmarks are never imported by src/ or sim/',
      severity: 'error',
      from: { path: '^(src|sim)/', pathNot: NOT_TEST },
      to: { path: ['^test/', '^bench/', '\\.test\\.ts$'] },
    },
    {
      name: 'no-circular',
      comment: 'import cycles hide the real direction of a dependency',
      severity: 'error',
      from: { pathNot: NOT_TEST },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
