/**
 * The canary analysis templates against a real Prometheus and Argo Rollouts' own decision
 * rules: synthetic canary and stable series (backfilled with promtool) for scenarios a
 * real rollout meets, the templates' queries run by Prometheus, and each measurement's
 * phase decided with the controller's expression engine (test/tools/argo-eval).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANALYSIS_ARGS,
  THRESHOLD_ARGS,
  analysisTemplates,
} from "../../components/services/argoRollouts";
import { MODEL_METRICS, POD_HASH_LABEL } from "../../components/services/metrics";
import { ENV_DEFAULTS } from "../../stacks/defaults";
import { argoPhases, haveArgoEval } from "../helpers/argoEval";
import { backfill, startPrometheus, type PromServer } from "../helpers/prometheus";
import { haveTool } from "../helpers/tools";

const ready = haveTool("prometheus", "prometheus") && haveArgoEval();
const thresholds = ENV_DEFAULTS.prod.canary;
const templates = analysisTemplates("http://prometheus:9090", thresholds);

const STEP = 15; // seconds between samples
const SPAN = 30 * 60; // 30 minutes of data
const END = Math.floor(Date.now() / 1000 / 60) * 60 - 10 * 60;
const START = END - SPAN;
const SERVICE = "fraud";
const CANARY = "7c9d8f6b5";
const STABLE = "5f4d3c2b1";

/** How one ReplicaSet behaves: requests per second, 5xx share, latency profile, positive share. */
interface Behaviour {
  rps: number;
  errors: number;
  slow?: boolean;
  positive?: number;
  /** Exports its counters under another name (a server that breaks the metric contract). */
  renamed?: boolean;
}
const HEALTHY: Behaviour = { rps: 1, errors: 0.005, positive: 0.2 };
const STABLE_PODS: Behaviour = { rps: 10, errors: 0.005, positive: 0.2 };
const SCENARIOS: Record<string, { canary: Behaviour; stable?: Behaviour }> = {
  healthy: { canary: HEALTHY },
  "ten-percent-errors": {
    canary: { ...HEALTHY, errors: 0.1 },
    stable: { ...STABLE_PODS, errors: 0.01 },
  },
  "no-errors-at-all": { canary: { ...HEALTHY, errors: 0 }, stable: { ...STABLE_PODS, errors: 0 } },
  slow: { canary: { ...HEALTHY, slow: true } },
  "no-traffic": { canary: { ...HEALTHY, rps: 0 } },
  "prediction-shift": { canary: { ...HEALTHY, positive: 0.5 } },
  "wrong-metric-name": { canary: { ...HEALTHY, renamed: true } },
};

// Cumulative share of requests at or under each bucket bound.
const BUCKETS = ["0.05", "0.1", "0.25", "0.5", "1", "+Inf"];
const FAST = [0.5, 0.9, 0.99, 1, 1, 1];
const SLOW = [0.05, 0.1, 0.3, 0.9, 1, 1];

function openMetrics(): string {
  const families: Record<string, { type: string; lines: string[] }> = {};
  const add = (
    family: string,
    type: string,
    sample: string,
    labels: string,
    at: (t: number) => number,
  ) => {
    const f = (families[family] ??= { type, lines: [] });
    for (let t = START; t <= END; t += STEP)
      f.lines.push(`${sample}{${labels}} ${at(t - START)} ${t}`);
  };
  for (const [ns, s] of Object.entries(SCENARIOS)) {
    for (const [hash, b] of [
      [CANARY, s.canary],
      [STABLE, s.stable ?? STABLE_PODS],
    ] as const) {
      const base = `namespace="${ns}",service="${SERVICE}",${POD_HASH_LABEL}="${hash}",handler="/predict",method="POST"`;
      const req = b.renamed ? "requests_served" : "http_requests";
      add(
        req,
        "counter",
        `${req}_total`,
        `${base},status="2xx"`,
        (dt) => b.rps * (1 - b.errors) * dt,
      );
      if (b.errors > 0)
        add(req, "counter", `${req}_total`, `${base},status="5xx"`, (dt) => b.rps * b.errors * dt);
      const hist = MODEL_METRICS.latency;
      BUCKETS.forEach((le, i) =>
        add(
          hist,
          "histogram",
          `${hist}_bucket`,
          `${base},le="${le}"`,
          (dt) => b.rps * dt * (b.slow ? SLOW : FAST)[i],
        ),
      );
      add(hist, "histogram", `${hist}_count`, base, (dt) => b.rps * dt);
      add(hist, "histogram", `${hist}_sum`, base, (dt) => b.rps * dt * (b.slow ? 0.4 : 0.08));
      const pred = "model_predictions";
      for (const [outcome, share] of [
        ["positive", b.positive ?? 0.2],
        ["negative", 1 - (b.positive ?? 0.2)],
      ] as const)
        add(
          pred,
          "counter",
          `${pred}_total`,
          `${base},outcome="${outcome}"`,
          (dt) => b.rps * share * dt,
        );
    }
  }
  const text = Object.entries(families)
    .map(([name, f]) => [`# TYPE ${name} ${f.type}`, ...f.lines].join("\n"))
    .join("\n");
  return `${text}\n# EOF\n`;
}

let prom: PromServer;
beforeAll(async () => {
  if (!ready) return;
  prom = await startPrometheus(backfill(openMetrics()));
}, 90_000);
afterAll(() => prom?.stop());

/** Every metric of a template measured in a scenario at END: metric name -> phase. */
async function measure(
  template: string,
  scenario: string,
  overrides: Record<string, string> = {},
): Promise<Record<string, string>> {
  const spec = templates[template].spec!;
  const values: Record<string, string> = {
    [ANALYSIS_ARGS.service]: SERVICE,
    [ANALYSIS_ARGS.namespace]: scenario,
    [ANALYSIS_ARGS.canaryHash]: CANARY,
    [ANALYSIS_ARGS.stableHash]: STABLE,
  };
  for (const a of spec.args ?? []) if (a.value !== undefined) values[a.name] = a.value;
  // What a Rollout passes wins over the template's defaults.
  Object.assign(values, overrides);
  // Argo Rollouts substitutes {{args.x}} in the whole metric, conditions included, before
  // the query reaches Prometheus (argo-rollouts v1.9.0 ResolveMetricArgs).
  const metrics = spec.metrics.map(
    (m) =>
      JSON.parse(
        JSON.stringify(m).replace(/\{\{args\.([\w-]+)\}\}/g, (_, n) => {
          if (values[n] === undefined) throw new Error(`no value for arg ${n}`);
          return values[n];
        }),
      ) as typeof m,
  );
  const results = await Promise.all(
    metrics.map((m) => prom.query(String(m.provider.prometheus!.query), END)),
  );
  const phases = argoPhases(
    metrics.map((m, i) => ({
      successCondition: m.successCondition,
      failureCondition: m.failureCondition,
      result: results[i],
    })),
  );
  return Object.fromEntries(metrics.map((m, i) => [m.name, phases[i]]));
}

describe.skipIf(!ready)(
  "canary analysis on a real Prometheus, decided as Argo Rollouts decides",
  () => {
    it("a healthy canary passes every template", async () => {
      expect(await measure("canary-vs-stable", "healthy")).toEqual({
        "error-rate-increase": "Successful",
        "latency-p95-ratio": "Successful",
      });
      expect(await measure("canary-slo", "healthy")).toEqual({
        "success-rate": "Successful",
        "latency-p95": "Successful",
      });
      expect(await measure("prediction-shift", "healthy")).toEqual({
        "positive-rate-shift": "Successful",
      });
    });
    it("10% errors on the canary against 1% on stable fails, whatever the latency", async () => {
      expect(await measure("canary-vs-stable", "ten-percent-errors")).toEqual({
        "error-rate-increase": "Failed",
        "latency-p95-ratio": "Successful",
      });
      expect((await measure("canary-slo", "ten-percent-errors"))["success-rate"]).toBe("Failed");
    });
    it("no 5xx series at all is a zero error rate, not missing data", async () => {
      expect((await measure("canary-vs-stable", "no-errors-at-all"))["error-rate-increase"]).toBe(
        "Successful",
      );
    });
    it("a slow canary fails the latency ratio and the SLO", async () => {
      expect((await measure("canary-vs-stable", "slow"))["latency-p95-ratio"]).toBe("Failed");
      expect((await measure("canary-slo", "slow"))["latency-p95"]).toBe("Failed");
    });
    it("a canary without traffic is Inconclusive everywhere: it pauses, it never passes", async () => {
      for (const t of ["canary-vs-stable", "canary-slo", "prediction-shift"])
        for (const phase of Object.values(await measure(t, "no-traffic")))
          expect(phase, t).toBe("Inconclusive");
    });
    it("a server that breaks the metric contract is Inconclusive, not a pass", async () => {
      for (const phase of Object.values(await measure("canary-vs-stable", "wrong-metric-name")))
        expect(phase).toBe("Inconclusive");
    });
    it("a shifted positive rate fails prediction-shift", async () => {
      expect(await measure("prediction-shift", "prediction-shift")).toEqual({
        "positive-rate-shift": "Failed",
      });
    });
    it("a model's own limit, passed as an arg, replaces the platform default in the conditions", async () => {
      const loose = { [THRESHOLD_ARGS.maxErrorRateIncrease]: "0.2" };
      expect(
        (await measure("canary-vs-stable", "ten-percent-errors", loose))["error-rate-increase"],
      ).toBe("Successful");
    });
  },
);
