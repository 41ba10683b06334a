/**
 * Every Helm values key the platform sets is one the chart documents at the
 * pinned version: test/fixtures/chart-values.json records what
 * `npm run chart-values` verified against each chart's values.yaml (the date
 * and the chart), and every release of every stack is held to it here.
 */
import * as fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { CHARTS } from "../../components/lib/charts";
import { checkValueKeys, leafPaths, unverified, withSubchart } from "../../scripts/lib/chartValues";
import { FIXTURE } from "../../scripts/chart-values";
import { recordedStack } from "../helpers/stack";
import { SPAWN_TEST_TIMEOUT_MS } from "../helpers/timeouts";

type Verified = Record<string, { checked: string; against: string; keys: string[] }>;
const verified = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Verified;

const releases: {
  stack: string;
  chart: string;
  version: string;
  values: Record<string, unknown>;
}[] = [];
beforeAll(async () => {
  for (const cloud of ["gcp", "aws"] as const)
    for (const env of ["dev", "staging", "prod"] as const) {
      const run = await recordedStack(env, cloud);
      for (const r of run.ofType("kubernetes:helm.sh/v3:Release"))
        releases.push({
          stack: `${cloud}/${env}`,
          chart: r.inputs.chart,
          version: r.inputs.version,
          values: r.inputs.values,
        });
    }
}, SPAWN_TEST_TIMEOUT_MS);

describe("Helm values against the charts' documented values", () => {
  it("every pinned chart has a verification record for its exact version", () => {
    for (const ref of Object.values(CHARTS)) {
      const rec = verified[`${ref.chart}@${ref.version}`];
      expect(
        rec,
        `run: helm show values ... --version ${ref.version} | npm run -s chart-values -- ${ref.chart} <file>`,
      ).toBeDefined();
      expect(rec.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it("every key of every release, in every stack, was verified for that chart version", () => {
    expect(releases.length).toBeGreaterThan(20);
    const bad = releases.flatMap((r) =>
      unverified(leafPaths(r.values), verified[`${r.chart}@${r.version}`]?.keys ?? []).map(
        (k) => `${r.stack} ${r.chart}@${r.version}: ${k}`,
      ),
    );
    expect(bad).toEqual([]);
  });

  it("a key the chart does not have is caught (planted typo)", () => {
    const argo = releases.find((r) => r.chart === "argo-cd")!;
    const planted = {
      ...argo.values,
      controller: { ...(argo.values.controller as object), replcas: 2 },
    };
    expect(unverified(leafPaths(planted), verified[`argo-cd@${argo.version}`].keys)).toEqual([
      "controller.replcas",
    ]);
  });
});

describe("the checker (scripts/lib/chartValues.ts)", () => {
  const defaults = {
    server: { replicas: 1, service: { type: "ClusterIP" }, resources: {} },
    configs: { cm: { "admin.enabled": true } },
    tolerations: [],
  };
  it("descends while the chart has a non-empty map, stops at empty maps, lists and leaves", () => {
    const r = checkValueKeys(
      "x",
      { server: { replicas: 2, resources: { limits: { cpu: "1" } } }, tolerations: [{ key: "a" }] },
      defaults,
    );
    expect(r).toEqual({
      verified: ["server.replicas", "server.resources", "tolerations"],
      unknown: [],
    });
  });
  it("reports keys the chart lacks, at any depth", () => {
    expect(checkValueKeys("x", { server: { replcas: 2 }, severs: {} }, defaults).unknown).toEqual([
      "server.replcas",
      "severs",
    ]);
  });
  it("accepts any key under a pass-through map (argo-cd configs.cm)", () => {
    expect(
      checkValueKeys("argo-cd", { configs: { cm: { "oidc.config": "x" } } }, defaults),
    ).toEqual({
      verified: ["configs.cm"],
      unknown: [],
    });
    expect(
      checkValueKeys("x", { configs: { cm: { "oidc.config": "x" } } }, defaults).unknown,
    ).toEqual(["configs.cm.oidc.config"]);
  });
  it("reads a subchart's keys from its own defaults (kube-prometheus-stack's grafana)", () => {
    const merged = withSubchart({ grafana: { admin: { existingSecret: "" } } }, "grafana", {
      service: { type: "ClusterIP" },
      admin: { userKey: "u" },
    });
    expect(
      checkValueKeys(
        "x",
        {
          grafana: { service: { type: "ClusterIP" }, admin: { existingSecret: "s", userKey: "k" } },
        },
        merged,
      ).unknown,
    ).toEqual([]);
  });
});
