/**
 * Verifies the Helm values the platform sets against the charts' own values.yaml
 * and records what was verified in test/fixtures/chart-values.json, which the
 * offline test (test/services/chartValues.test.ts) holds every release to.
 *
 *   helm show values argo/argo-cd --version 9.5.11 > /tmp/argo-cd.yaml
 *   npm run -s chart-values -- argo-cd /tmp/argo-cd.yaml
 *
 * Subcharts' values come as `<key>=<values.yaml>` (kube-prometheus-stack's grafana):
 *   npm run -s chart-values -- kube-prometheus-stack /tmp/kps.yaml grafana=/tmp/grafana.yaml
 *
 * Runs every env x cloud stack under mocks, collects the values of each release
 * of that chart, and exits 1 when a key is not in the chart's values.yaml.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CHARTS } from "../components/lib/charts";
import { checkValueKeys, withSubchart, type Values } from "./lib/chartValues";
import { installMocks, programEntry, settle, stackFileConfig } from "./lib/mocks";

const ROOT = path.resolve(__dirname, "..");
export const FIXTURE = path.join(ROOT, "test", "fixtures", "chart-values.json");
const CLOUDS = [{}, { "mlops-platform:cloud": "aws", "aws:region": "us-east-1" }];

/** The values of every release of `chart` across the six stacks. */
export async function releaseValues(chart: string): Promise<Values[]> {
  const found: Values[] = [];
  for (const over of CLOUDS)
    for (const stack of ["dev", "staging", "prod"]) {
      const session = await installMocks({ stack, config: stackFileConfig(stack, over) });
      for (const key of Object.keys(require.cache))
        if (key.startsWith(ROOT) && !key.includes(`${path.sep}node_modules${path.sep}`))
          delete require.cache[key];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(programEntry());
      await settle();
      for (const r of session.ofType("kubernetes:helm.sh/v3:Release"))
        if (r.inputs.chart === chart) found.push(r.inputs.values as Values);
    }
  return found;
}

async function main(argv: string[]): Promise<number> {
  const [chart, file, ...subcharts] = argv;
  const ref = Object.values(CHARTS).find((c) => c.chart === chart);
  if (!ref || !file) {
    console.error(
      `usage: npm run -s chart-values -- <${Object.values(CHARTS)
        .map((c) => c.chart)
        .join("|")}> <values.yaml>`,
    );
    return 2;
  }
  let defaults = parse(fs.readFileSync(file, "utf8")) as Values;
  for (const sub of subcharts) {
    const [key, subFile] = sub.split("=");
    defaults = withSubchart(defaults, key, parse(fs.readFileSync(subFile, "utf8")) as Values);
  }
  const verified = new Set<string>();
  const unknown = new Set<string>();
  for (const values of await releaseValues(chart)) {
    const r = checkValueKeys(chart, values, defaults);
    r.verified.forEach((k) => verified.add(k));
    r.unknown.forEach((k) => unknown.add(k));
  }
  if (unknown.size) {
    console.error(
      `${chart} ${ref.version}: keys the chart does not document:\n  ${[...unknown].join("\n  ")}`,
    );
    return 1;
  }
  const fixture = fs.existsSync(FIXTURE) ? JSON.parse(fs.readFileSync(FIXTURE, "utf8")) : {};
  fixture[`${chart}@${ref.version}`] = {
    checked: new Date().toISOString().slice(0, 10),
    against: `values.yaml of ${chart} ${ref.version} (${ref.repo})`,
    keys: [...verified].sort(),
  };
  const sorted = Object.fromEntries(Object.entries(fixture).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(FIXTURE, JSON.stringify(sorted, null, 2) + "\n");
  console.log(
    `${chart} ${ref.version}: ${verified.size} key paths verified, recorded in ${path.relative(ROOT, FIXTURE)}`,
  );
  return 0;
}

if (require.main === module) void main(process.argv.slice(2)).then((c) => process.exit(c));
