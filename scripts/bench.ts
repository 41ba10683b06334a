/**
 * Benchmark (not a test): time to run each stack under mocks, time to evaluate
 * the pack on it through the SDK analyzer, and pack throughput on synthetic
 * stacks of 1,000 and 10,000 resources.
 *
 *   npm run bench
 */
import { performance } from "node:perf_hooks";
import { PackSession, readPolicyConfig, type EngineResource } from "./lib/policyEngine";
import { recordStack } from "./check";

/** A synthetic stack cycling through the resource kinds the pack inspects most. */
function synthetic(n: number, template: EngineResource[]): EngineResource[] {
  const kinds = template.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  return Array.from({ length: n }, (_, i) => {
    const src = kinds[i % kinds.length];
    const urn = `${src.urn}-${i}`;
    return {
      ...src,
      urn,
      name: `${src.name}-${i}`,
      parent: "",
      dependencies: [],
      propertyDependencies: {},
    };
  });
}

async function main() {
  const rows: string[][] = [
    ["case", "resources", "run under mocks (ms)", "evaluate pack (ms)", "resources/s"],
  ];
  const pack = await PackSession.start();
  let template: EngineResource[] = [];
  try {
    for (const stack of ["dev", "staging", "prod"]) {
      const t0 = performance.now();
      const resources = await recordStack(stack);
      const t1 = performance.now();
      await pack.configure(readPolicyConfig(stack));
      await pack.analyze(resources);
      const t2 = performance.now();
      template = resources;
      rows.push([
        stack,
        String(resources.length),
        (t1 - t0).toFixed(0),
        (t2 - t1).toFixed(0),
        ((resources.length / (t2 - t1)) * 1000).toFixed(0),
      ]);
    }
    for (const n of [1_000, 10_000]) {
      const resources = synthetic(n, template);
      await pack.configure(readPolicyConfig("prod"));
      const t1 = performance.now();
      await pack.analyze(resources);
      const t2 = performance.now();
      rows.push([
        `synthetic`,
        String(n),
        "-",
        (t2 - t1).toFixed(0),
        ((n / (t2 - t1)) * 1000).toFixed(0),
      ]);
    }
  } finally {
    pack.close();
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => cell.padStart(widths[c])).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
