/**
 * Grafana cannot run here, so both dashboards are checked against the schema
 * Grafana publishes for the version the compose file runs (@grafana/schema
 * 10.4.5, grafana-oss:10.4.5): each dashboard's JSON becomes a TypeScript literal
 * that must satisfy the dashboard type, every panel's options and field config
 * the type of its panel plugin (timeseries, stat, table) and every query the
 * Prometheus query type. An unknown field, a misspelt enum value or a panel type
 * the schema does not describe fails the compile.
 */
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { DASHBOARD_DIR } from './dashboard-queries';

const ROOT = path.join(__dirname, '..', '..');
const RAW = '@grafana/schema/dist/esm/raw/composable';

const PRELUDE = `
import type { Dashboard, FieldConfigSource, Panel, RowPanel } from '@grafana/schema';
import type * as timeseries from '${RAW}/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type * as stat from '${RAW}/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as table from '${RAW}/table/panelcfg/x/TablePanelCfg_types.gen';
import type { PrometheusDataQuery } from '${RAW}/prometheus/dataquery/x/PrometheusDataQuery_types.gen';

// As the JSON file holds it: an enum by its string value, and every field optional
// (the generated types mark fields with a schema default as required; Grafana fills
// the default in). Names, types and enum values are still checked.
type Json<T> = T extends string
  ? string extends T ? string : \`\${T}\`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer U>
      ? Array<Json<U>>
      : { [K in keyof T]?: Json<T[K]> };

type Typed<T extends string, O, F> = Omit<Panel<O, F>, 'type' | 'options' | 'fieldConfig' | 'targets'> & {
  type: T;
  options?: O;
  fieldConfig?: FieldConfigSource<F>;
  targets?: PrometheusDataQuery[];
};
type AnyPanel =
  | Typed<'timeseries', timeseries.Options, timeseries.FieldConfig>
  | Typed<'stat', stat.Options, Record<string, never>>
  | Typed<'table', table.Options, table.FieldConfig>;
type Row = Omit<RowPanel, 'panels'> & { panels: AnyPanel[] };
type CheckedDashboard = Json<Omit<Dashboard, 'panels'> & { panels?: Array<AnyPanel | Row> }>;
`;

/** Compiler messages for `json` checked as a dashboard; empty when it conforms. */
function schemaErrors(name: string, json: string): string[] {
  const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache-dashboard-schema-'));
  try {
    const file = path.join(dir, `${name}.ts`);
    fs.writeFileSync(file, `${PRELUDE}\nexport const dashboard = (${json}) satisfies CheckedDashboard;\n`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      skipLibCheck: true,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${name}:${where - PRELUDE.split('\n').length}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const files = fs.readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json'));

test.each(files)('%s conforms to the Grafana 10.4 dashboard schema', (file) => {
  expect(schemaErrors(file.replace(/\W/g, '_'), fs.readFileSync(path.join(DASHBOARD_DIR, file), 'utf8'))).toEqual([]);
});

test('the check rejects what Grafana would: an unknown option, a wrong enum value, an unknown panel type', () => {
  const original = JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, files[0]), 'utf8')) as {
    panels: Array<Record<string, unknown>>;
  };
  const panel = original.panels.find((p) => p.type === 'timeseries') as {
    options: Record<string, unknown>;
    type: string;
  };
  const broken = (change: (p: typeof panel) => void) => {
    const copy = structuredClone(original);
    change(copy.panels[original.panels.indexOf(panel)] as typeof panel);
    return schemaErrors('broken', JSON.stringify(copy));
  };
  expect(broken((p) => (p.options.legendd = {})).join('\n')).toMatch(/legendd/);
  expect(broken((p) => (p.options.tooltip = { mode: 'every', sort: 'none' })).join('\n')).toMatch(/every/);
  expect(broken((p) => (p.type = 'graphh')).join('\n')).toMatch(/graphh/);
});
