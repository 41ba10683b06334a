/**
 * Every Kubernetes object the platform registers, on every env x cloud stack,
 * against the real schemas: each model's own validator (the newest
 * @kubernetes-models, generated from the CRDs of the controllers we install,
 * and kubernetes-models for core objects), plus a strict walk that rejects any
 * field the schema does not define (the validators let unknown fields through).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CHARTS } from "../../components/lib/charts";
import type { RecordedResource } from "../../scripts/lib/mocks";
import { recordedStack } from "../helpers/stack";
import { SPAWN_TEST_TIMEOUT_MS } from "../helpers/timeouts";
import { MODEL_TYPES, unknownFields } from "../../scripts/lib/strictSchema";

const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["gcp/dev", "gcp/staging", "gcp/prod", "aws/dev", "aws/staging", "aws/prod"];
/** Kinds whose content is not a Kubernetes object (Helm releases carry chart values; see chartValues.test.ts). */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

const objects: { stack: string; r: RecordedResource }[] = [];
beforeAll(async () => {
  for (const name of STACKS) {
    const [cloud, env] = name.split("/") as ["gcp" | "aws", "dev" | "staging" | "prod"];
    const run = await recordedStack(env, cloud);
    for (const r of run.resources)
      if (r.custom && r.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(r.type))
        objects.push({ stack: name, r });
  }
}, SPAWN_TEST_TIMEOUT_MS);

/** The model class for a type token, from the same module the strict walk reads. */
async function modelClass(type: string): Promise<new (data: unknown) => { validate(): void }> {
  const m = MODEL_TYPES[type];
  const mod = (await import(m.module)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  return mod[m.iface.slice(1)];
}

describe("schemas of every registered object", () => {
  it("every kind the stacks register has a schema here", () => {
    const kinds = [...new Set(objects.map((o) => o.r.type))].sort();
    expect(kinds.length).toBeGreaterThan(8);
    expect(kinds.filter((k) => !MODEL_TYPES[k])).toEqual([]);
  });

  it("no object carries a field its schema does not define (strict walk)", () => {
    const found = objects.flatMap(({ stack, r }) =>
      unknownFields(r.type, r.inputs).map((f) => `${stack} ${r.type} ${r.name}: ${f}`),
    );
    expect(found).toEqual([]);
  });

  it("every object passes its model's own validator", async () => {
    const failures: string[] = [];
    for (const { stack, r } of objects) {
      const Model = await modelClass(r.type);
      const { apiVersion: _a, kind: _k, ...data } = r.inputs;
      try {
        new Model(data).validate();
      } catch (e) {
        failures.push(`${stack} ${r.type} ${r.name}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("a planted typo fails the strict walk (and passes the lenient validator, which is why the walk exists)", async () => {
    const template = objects.find(
      (o) => o.r.type === "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate",
    )!.r;
    const broken = structuredClone(template.inputs);
    broken.spec.metrics[0].sucessCondition = broken.spec.metrics[0].successCondition;
    expect(unknownFields(template.type, broken)).toEqual(["spec.metrics[0].sucessCondition"]);
    const Model = await modelClass(template.type);
    const { apiVersion: _a, kind: _k, ...data } = broken;
    expect(() => new Model(data).validate()).not.toThrow();

    const dep = objects.find((o) => o.r.type === "kubernetes:apps/v1:Deployment")!.r;
    const d = structuredClone(dep.inputs);
    d.spec.template.spec.containers[0].imagePullPolcy = "Always";
    expect(unknownFields(dep.type, d)).toEqual(["spec.template.spec.containers[0].imagePullPolcy"]);
  });
});

describe("the CRD models match the controllers we install", () => {
  /** The upstream CRD version each test model package was generated from (kubernetes-models-ts third-party/<name>/CHANGELOG.md). */
  const GENERATED_FROM: Record<string, { version: string; crds: string }> = {
    "@kubernetes-models-test/argo-cd": { version: "4.0.0", crds: "v3.3.9" },
    "@kubernetes-models-test/argo-rollouts": { version: "2.0.0", crds: "v1.9.0" },
  };
  const installed = (pkg: string) =>
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8"))
      .version;

  it.each([
    ["@kubernetes-models-test/argo-cd", CHARTS.argoCd.appVersion],
    ["@kubernetes-models-test/argo-rollouts", CHARTS.argoRollouts.appVersion],
  ])("%s is generated from the CRDs of the controller we pin (%s)", (pkg, controller) => {
    expect(installed(pkg)).toBe(GENERATED_FROM[pkg].version);
    expect(GENERATED_FROM[pkg].crds).toBe(controller);
  });
});
