import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/ClusterAnalysisTemplate";
import { customResource, schemaProblems } from "./crd";
import { CHARTS, pinnedRelease } from "../lib/helm";
import { validateArgs } from "../lib/validation";
import type { CanaryThresholds } from "../model";
import { GOLDEN_COMPARE_TEMPLATE, goldenCompareTemplate } from "./goldenCompare";
import { MODEL_METRICS, POD_HASH_LABEL, POSITIVE_OUTCOME, SERVER_ERROR_STATUS } from "./metrics";

export interface ArgoRolloutsArgs {
  namespace: pulumi.Input<string>;
  environment: "dev" | "staging" | "prod";
  /** In-cluster Prometheus URL the analysis templates query. */
  prometheusUrl: string;
  thresholds: CanaryThresholds;
  /** Release that installs the ServiceMonitor CRD (the controller's metrics). */
  monitoringRelease: pulumi.Resource;
  /** Pinned image with Python (the MLflow image) and its uid: runs the golden-set comparison. */
  goldenImage: { image: string; runAsUser: number };
}

/**
 * Chart values (keys checked against argo-rollouts 2.40.9 charts/argo-rollouts/values.yaml):
 * CRDs kept on uninstall, dashboard off in prod, HA controller in prod. Pure.
 */
export function argoRolloutsValues(env: ArgoRolloutsArgs["environment"]) {
  const prod = env === "prod";
  return {
    installCRDs: true,
    keepCRDs: true,
    controller: {
      replicas: prod ? 2 : 1,
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
      resources: {
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "500m", memory: "512Mi" },
      },
    },
    dashboard: { enabled: !prod, service: { type: "ClusterIP" } },
  };
}

/**
 * Template arguments. The Rollout passes the pod-template hashes of its new and stable
 * ReplicaSets (`valueFrom.podTemplateHashValue: Latest` / `Stable`); the model's
 * ServiceMonitor copies the pod label onto every series (`podTargetLabels`), so the
 * queries compare the canary's pods with the stable pods instead of mixing them.
 */
export const ANALYSIS_ARGS = {
  service: "service",
  namespace: "namespace",
  canaryHash: "canary-hash",
  stableHash: "stable-hash",
  outcome: "outcome",
} as const;
const arg = (name: string) => `{{args.${name}}}`;
const { requests, latency, predictions } = MODEL_METRICS;

/** Series of one ReplicaSet of the analysed Service. */
function pods(hashArg: string, extra = ""): string {
  return `{namespace="${arg(ANALYSIS_ARGS.namespace)}",service="${arg(ANALYSIS_ARGS.service)}",${POD_HASH_LABEL}="${arg(hashArg)}"${extra}}`;
}
const rps = (hashArg: string, w: string) => `sum(rate(${requests}${pods(hashArg)}[${w}]))`;
/** 5xx share; no 5xx series at all counts as 0, no requests at all leaves the result empty. */
const errorRate = (h: string, w: string) =>
  `((sum(rate(${requests}${pods(h, `,${SERVER_ERROR_STATUS}`)}[${w}])) or on() vector(0)) / ${rps(h, w)})`;
const p95 = (h: string, w: string) =>
  `histogram_quantile(0.95, sum by (le) (rate(${latency}_bucket${pods(h)}[${w}])))`;
const positiveRate = (h: string, w: string) =>
  `((sum(rate(${predictions}${pods(h, `,outcome="${arg(ANALYSIS_ARGS.outcome)}"`)}[${w}])) or on() vector(0)) / sum(rate(${predictions}${pods(h)}[${w}])))`;

/**
 * Success and failure conditions for "value must be `op` limit". Argo Rollouts marks a
 * measurement Failed when the failure condition holds, Successful when only the success
 * condition holds, and Inconclusive when neither does (argo-rollouts v1.9.0
 * utils/evaluate/evaluate.go EvaluateResult): an empty result (no traffic, a wrong metric
 * name) or NaN satisfies neither, so it pauses the rollout for a human instead of passing.
 */
export function limitConditions(op: "<=" | ">=", limit: number | string) {
  const known = "len(result) > 0 && !isNaN(result[0])";
  const bad = op === "<=" ? ">" : "<";
  return {
    successCondition: `${known} && result[0] ${op} ${limit}`,
    failureCondition: `${known} && result[0] ${bad} ${limit}`,
  };
}

/**
 * Each limit is a template argument whose default is the stack's `canary` config, so one
 * model can tighten or loosen it (model.yaml `canary`, passed by the rendered Rollout).
 * Argo Rollouts substitutes args in the whole metric, conditions included (argo-rollouts
 * v1.9.0 utils/analysis/factory.go ResolveMetricArgs).
 */
export const THRESHOLD_ARGS: Record<keyof CanaryThresholds, string> = {
  minSuccessRate: "min-success-rate",
  maxP95LatencySeconds: "max-p95-latency-seconds",
  maxErrorRateIncrease: "max-error-rate-increase",
  maxLatencyRatio: "max-latency-ratio",
  maxPredictionShift: "max-prediction-shift",
  minRequestsPerSecond: "min-requests-per-second",
};

/** One measured query; five measurements a minute apart, one failure or one inconclusive tolerated. */
function metric(
  prometheusUrl: string,
  name: string,
  query: string,
  op: "<=" | ">=",
  limit: keyof CanaryThresholds,
  window: string,
) {
  // Below the traffic floor the `and` leaves no sample: Inconclusive.
  const floor = `(${rps(ANALYSIS_ARGS.canaryHash, window)} >= ${arg(THRESHOLD_ARGS.minRequestsPerSecond)})`;
  return {
    name,
    interval: "1m",
    count: 5,
    failureLimit: 1,
    inconclusiveLimit: 1,
    ...limitConditions(op, arg(THRESHOLD_ARGS[limit])),
    provider: { prometheus: { address: prometheusUrl, query: `(${query}) and on() ${floor}` } },
  };
}

const HASH_ARGS = [
  { name: ANALYSIS_ARGS.service },
  { name: ANALYSIS_ARGS.namespace },
  { name: ANALYSIS_ARGS.canaryHash },
  { name: ANALYSIS_ARGS.stableHash },
];

/**
 * The ClusterAnalysisTemplates a model Rollout references by name. Pure.
 * - `canary-vs-stable`: error-rate increase and p95 latency ratio of canary pods over stable pods;
 * - `prediction-shift`: change of the positive-outcome rate (servers exporting prediction counts);
 * - `canary-slo`: the canary's own success rate and p95 latency against absolute limits.
 */
export function analysisTemplates(
  prometheusUrl: string,
  t: CanaryThresholds,
): Record<string, ClusterAnalysisTemplate> {
  const c = ANALYSIS_ARGS.canaryHash;
  const st = ANALYSIS_ARGS.stableHash;
  const limits = (...keys: (keyof CanaryThresholds)[]) =>
    [...keys, "minRequestsPerSecond" as const].map((k) => ({
      name: THRESHOLD_ARGS[k],
      value: String(t[k]),
    }));
  const template = (name: string, args: object[], metrics: object[]) =>
    new ClusterAnalysisTemplate({ metadata: { name }, spec: { args, metrics } as never });
  const m = (
    name: string,
    query: string,
    op: "<=" | ">=",
    limit: keyof CanaryThresholds,
    w: string,
  ) => metric(prometheusUrl, name, query, op, limit, w);
  return {
    "canary-vs-stable": template(
      "canary-vs-stable",
      [...HASH_ARGS, ...limits("maxErrorRateIncrease", "maxLatencyRatio")],
      [
        m(
          "error-rate-increase",
          `${errorRate(c, "2m")} - ${errorRate(st, "2m")}`,
          "<=",
          "maxErrorRateIncrease",
          "2m",
        ),
        m("latency-p95-ratio", `${p95(c, "5m")} / ${p95(st, "5m")}`, "<=", "maxLatencyRatio", "5m"),
      ],
    ),
    "prediction-shift": template(
      "prediction-shift",
      [
        ...HASH_ARGS,
        { name: ANALYSIS_ARGS.outcome, value: POSITIVE_OUTCOME },
        ...limits("maxPredictionShift"),
      ],
      [
        m(
          "positive-rate-shift",
          `abs(${positiveRate(c, "10m")} - ${positiveRate(st, "10m")})`,
          "<=",
          "maxPredictionShift",
          "10m",
        ),
      ],
    ),
    "canary-slo": template(
      "canary-slo",
      [
        ...HASH_ARGS.filter((a) => a.name !== ANALYSIS_ARGS.stableHash),
        ...limits("minSuccessRate", "maxP95LatencySeconds"),
      ],
      [
        m("success-rate", `1 - ${errorRate(c, "2m")}`, ">=", "minSuccessRate", "2m"),
        m("latency-p95", p95(c, "5m"), "<=", "maxP95LatencySeconds", "5m"),
      ],
    ),
  };
}

/** Argo Rollouts at a pinned version and the canary ClusterAnalysisTemplates. */
export class ArgoRollouts extends pulumi.ComponentResource {
  public readonly release: k8s.Release;
  public readonly templateNames: string[];

  constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:delivery:ArgoRollouts", name, {}, opts);
    const templates = {
      ...analysisTemplates(args.prometheusUrl, args.thresholds),
      [GOLDEN_COMPARE_TEMPLATE]: goldenCompareTemplate(
        args.goldenImage.image,
        args.goldenImage.runAsUser,
      ),
    };
    validateArgs("mlops:delivery:ArgoRollouts", name, schemaProblems(templates));

    this.release = pinnedRelease(
      `${name}-release`,
      CHARTS.argoRollouts,
      {
        releaseName: "argo-rollouts",
        namespace: args.namespace,
        values: argoRolloutsValues(args.environment),
      },
      { parent: this, dependsOn: [args.monitoringRelease] },
    );
    for (const [tname, model] of Object.entries(templates)) {
      customResource(`${name}-analysis-${tname}`, model, undefined, {
        parent: this,
        dependsOn: [this.release],
      });
    }
    this.templateNames = Object.keys(templates);
    this.registerOutputs({ templateNames: this.templateNames });
  }
}
