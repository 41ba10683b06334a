/** `npm run check`: exit codes, JSON shape, SARIF 2.1.0 validity against the official schema. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../policies/rules";
import { main } from "../../scripts/check";
import { PackSession } from "../../scripts/lib/policyEngine";
import type { RecordedResource } from "../../scripts/lib/mocks";
import { recordedStack, runStack, shippedLoad } from "../helpers/stack";
import { SPAWN_TEST_TIMEOUT_MS, SPAWN_TIMEOUT_MS } from "../helpers/timeouts";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require("ajv");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sarifSchema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

const ROOT = path.resolve(__dirname, "..", "..");
const BROKEN = "budgetbust";
const BAD_CONFIG = "badconfig";
const PERSONAL = "alice";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-check-"));

const SHIPPED = new Set(["dev", "staging", "prod"]);
let pack: PackSession;
const runs = new Map<string, Promise<RecordedResource[]>>();
/** A throwaway stack run under mocks once per placeholder setting (the refusal test unsets it). */
function ran(stack: string, cloud?: string): Promise<RecordedResource[]> {
  const key = `${stack}:${cloud ?? ""}:${process.env.MLOPS_ALLOW_PLACEHOLDERS ?? ""}`;
  if (!runs.has(key))
    runs.set(
      key,
      runStack(stack, cloud ? { "mlops-platform:cloud": cloud } : {}).then((r) => r.resources),
    );
  return runs.get(key)!;
}
/** The checker in-process: same main(), stacks loaded by the test loader, one pack session for all cases. */
async function check(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(
    args,
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    {
      pack,
      rules: allRules,
      record: async (stack, cloud) =>
        // A shipped stack as loaded once for the run (placeholders accepted, as there);
        // the throwaway stacks, and the placeholder refusal, run the program here, once each
        // per file (their stack files do not change between tests), each caller a copy.
        SHIPPED.has(stack) && process.env.MLOPS_ALLOW_PLACEHOLDERS === "1"
          ? (await recordedStack(stack as "dev" | "staging" | "prod", cloud)).resources
          : structuredClone(await ran(stack, cloud)),
    },
  );
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
}

beforeAll(async () => {
  pack = await PackSession.start();
  // The shipped stacks' recordings (test/setup/loadStacks.ts), waited for here, under the long bound.
  await shippedLoad();
  // A throwaway dev-like stack whose GPU pools exceed dev's budget (a mandatory rule there).
  fs.writeFileSync(
    path.join(ROOT, `Pulumi.${BROKEN}.yaml`),
    fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8") +
      `  mlops-platform:environment: dev\n  mlops-platform:gpuPools:\n    - { name: l4, gpu: l4, maxNodes: 10, spot: true }\n`,
  );
  // A dev-like stack on AWS asking for a Kubernetes version with no pinned EKS add-ons.
  fs.writeFileSync(
    path.join(ROOT, `Pulumi.${BAD_CONFIG}.yaml`),
    fs
      .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
      .replace("mlops-platform:cloud: gcp", "mlops-platform:cloud: aws")
      .replace(
        "  mlops-platform:cluster:\n",
        "  mlops-platform:cluster:\n    kubernetesVersion: '1.29'\n",
      ) + `  mlops-platform:environment: dev\n`,
  );
  // A personal stack: environment dev, no policies/config/alice.json of its own.
  fs.writeFileSync(
    path.join(ROOT, `Pulumi.${PERSONAL}.yaml`),
    fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8") +
      `  mlops-platform:environment: dev\n`,
  );
  fs.copyFileSync(
    path.join(ROOT, "policies/config/dev.json"),
    path.join(ROOT, `policies/config/${BROKEN}.json`),
  );
}, SPAWN_TEST_TIMEOUT_MS);
afterAll(() => {
  pack?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, `Pulumi.${BROKEN}.yaml`), { force: true });
  fs.rmSync(path.join(ROOT, `Pulumi.${BAD_CONFIG}.yaml`), { force: true });
  fs.rmSync(path.join(ROOT, `Pulumi.${PERSONAL}.yaml`), { force: true });
  fs.rmSync(path.join(ROOT, `policies/config/${BROKEN}.json`), { force: true });
});

describe("npm run check", () => {
  it("text: prints the tree by component and the violations by severity, exits 0 without mandatory violations", async () => {
    const res = await check("--stack", "dev");
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Stack dev: \d+ resources/);
    expect(res.stdout).toMatch(
      /▸ mlops:index:MlopsPlatform mlops-dev\n {2}▸ mlops:cloud:GcpProjectServices mlops-dev-apis\n {4}- gcp:projects\/service:Service/,
    );
    expect(res.stdout).toMatch(/HIGH \(\d+\)\n {2}\[advisory\] gcp-cloudsql-resilience/);
    expect(res.stdout).toMatch(/0 mandatory, \d+ advisory violation/);
  }, 120_000);

  it("exits 1 on a mandatory violation, and JSON names it", async () => {
    const out = path.join(tmp, "broken.json");
    const res = await check("--stack", BROKEN, "--format", "json", "--output", out);
    expect(res.status, res.stderr).toBe(1);
    const report = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(report).toMatchObject({ stack: BROKEN, summary: { mandatory: 1 } });
    expect(report.resourceCount).toBeGreaterThan(20);
    const v = report.violations.find((x: { policy: string }) => x.policy === "cost-gpu-budget");
    expect(v).toMatchObject({ enforcementLevel: "mandatory", severity: "high" });
    expect(v.message).toMatch(/scale to 10 GPUs.*budget is 4/);
  }, 120_000);

  it(
    "through npm, as the README shows it: `npm run -s` keeps stdout pure JSON, and the exit code is main()'s",
    () => {
      const res = spawnSync(
        "npm",
        ["run", "-s", "check", "--", "--stack", BROKEN, "--format", "json"],
        {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, NODE_OPTIONS: "" },
          timeout: SPAWN_TIMEOUT_MS,
        },
      );
      expect(res.status, res.stderr).toBe(1);
      expect(JSON.parse(res.stdout)).toMatchObject({ stack: BROKEN, summary: { mandatory: 1 } });
    },
    SPAWN_TEST_TIMEOUT_MS,
  );

  it("a personal stack without its own policy config uses its environment's, and says so", async () => {
    const res = await check("--stack", PERSONAL, "--format", "json");
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toMatch(
      /no policies\/config\/alice\.json: using policies\/config\/dev\.json \(stack alice is environment dev\)/,
    );
    expect(JSON.parse(res.stdout).summary.mandatory).toBe(0);
  });

  it("a YAML syntax error names the file, line and column", async () => {
    const file = path.join(ROOT, "Pulumi.yamlbroken.yaml");
    fs.writeFileSync(
      file,
      "config:\n  mlops-platform:cloud: gcp\n mlops-platform:environment: dev\n",
    );
    try {
      const res = await check("--stack", "yamlbroken");
      expect(res.status).toBe(2);
      expect(res.stderr).toMatch(/Pulumi\.yamlbroken\.yaml: line 3, column \d+: /);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("the README's first command: the shipped prod stack with --example passes; without it, its placeholders are refused", async () => {
    const saved = process.env.MLOPS_ALLOW_PLACEHOLDERS;
    try {
      delete process.env.MLOPS_ALLOW_PLACEHOLDERS;
      const real = await check("--stack", "prod", "--format", "json");
      expect(real.status).toBe(2);
      expect(real.stderr).toMatch(
        /gcp:project: "my-gcp-project-prod" is an example placeholder: replace the placeholder/,
      );
      const example = await check("--stack", "prod", "--example", "--format", "json");
      expect(example.status, example.stderr).toBe(0);
      expect(example.stderr).toMatch(/^example mode: /);
    } finally {
      process.env.MLOPS_ALLOW_PLACEHOLDERS = saved;
    }
  });

  it("--help prints the usage and the exit codes, and exits 0; an unknown argument is named", async () => {
    const help = await check("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run -s check -- --stack <stack>/);
    expect(help.stdout).toMatch(
      /Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 a usage, config or program error/,
    );
    const unknown = await check("--stack", "dev", "--verbose");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown argument "--verbose"\./);
  });

  it("text: each GPU pool as the cloud builds it, and each violation with its fix and the file holding its thresholds", async () => {
    const gcp = await check("--stack", BROKEN);
    expect(gcp.stdout).toMatch(
      /GPU pool mlops-dev-cluster-gpu-l4: g2-standard-8 with 1 x nvidia-l4 \(spot\), 0\.\.10 nodes in us-central1-a, us-central1-b, us-central1-c/,
    );
    expect(gcp.stdout).toMatch(
      /\[mandatory\] cost-gpu-budget: .*\n {6}fix: Lower maxNodes or gpusPerNode.*\n {6}or change its thresholds \(maxGpus\) in policies\/config\/budgetbust\.json/,
    );
    const aws = await check("--stack", "prod", "--cloud", "aws");
    expect(aws.stdout).toMatch(
      /GPU node group mlops-prod-cluster-gpu-l4: g6\.2xlarge \(ON_DEMAND\), 1\.\.8 nodes/,
    );
  });

  it("SARIF is valid 2.1.0 with rule metadata GitHub code scanning reads", async () => {
    const out = path.join(tmp, "broken.sarif");
    const res = await check("--stack", BROKEN, "--format", "sarif", "--output", out);
    expect(res.status).toBe(1);
    const sarif = JSON.parse(fs.readFileSync(out, "utf8"));
    const ajv = new Ajv({ schemaId: "auto", allErrors: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
    const validate = ajv.compile(sarifSchema);
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.length).toBeGreaterThanOrEqual(40);
    const budget = run.results.find((r: { ruleId: string }) => r.ruleId === "cost-gpu-budget");
    expect(budget.level).toBe("error");
    expect(run.tool.driver.rules[budget.ruleIndex].id).toBe("cost-gpu-budget");
    expect(run.tool.driver.rules[budget.ruleIndex].help.text).toMatch(/maxGpus/);
    expect(run.tool.driver.rules[budget.ruleIndex].properties["security-severity"]).toBe("8.0");
    expect(budget.locations[0].physicalLocation.artifactLocation.uri).toBe(`Pulumi.${BROKEN}.yaml`);
    // A broken document fails the same validator, so the check above can fail.
    expect(validate({ version: "2.1.0", runs: [{ results: [] }] })).toBe(false);
  }, 120_000);

  it("exits 2 with usage help on bad arguments or a failing program", async () => {
    const usage = await check("--format", "xml");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--format must be one of text, json, sarif/);
    const bad = await check("--stack", BAD_CONFIG);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /mlops-platform:cluster\.kubernetesVersion: 1\.29 has no pinned EKS add-on versions/,
    );
  }, 120_000);

  it("--cloud aws checks the same stack on EKS, RDS and S3", async () => {
    const res = await check("--stack", "prod", "--cloud", "aws", "--format", "json");
    expect(res.status, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.summary.mandatory).toBe(0);
    expect(report.resourceCount).toBeGreaterThan(100);
  }, 120_000);
});
