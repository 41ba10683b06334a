import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/ClusterAnalysisTemplate";
import { customResource, schemaProblems } from "./crd";
import { CHARTS, pinnedRelease } from "../lib/helm";
import { validateArgs } from "../lib/validation";

export interface CanaryThresholds {
  /** Non-5xx share of requests the canary must keep, e.g. 0.99. */
  minSuccessRate: number;
  /** p95 latency ceiling in seconds, e.g. 0.5. */
  maxP95LatencySeconds: number;
  /** Model-quality gauge floor (e.g. precision), e.g. 0.9. */
  minModelQuality: number;
}

export interface ArgoRolloutsArgs {
  namespace: pulumi.Input<string>;
  environment: "dev" | "staging" | "prod";
  /** In-cluster Prometheus URL the analysis templates query. */
  prometheusUrl: string;
  thresholds: CanaryThresholds;
  /** Release that installs the ServiceMonitor CRD (the controller's metrics). */
  monitoringRelease: pulumi.Resource;
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

const ARGS = [{ name: "service-name" }, { name: "namespace" }];
/** PromQL label selector for the analysed service, with optional extra matchers. */
const sel = (extra = "") =>
  `{service="{{args.service-name}}",namespace="{{args.namespace}}"${extra}}`;

/** The three ClusterAnalysisTemplates a model canary references by name. Pure. */
export function analysisTemplates(
  prometheusUrl: string,
  t: CanaryThresholds,
): Record<string, ClusterAnalysisTemplate> {
  const provider = { prometheus: { address: prometheusUrl } };
  return {
    "success-rate": new ClusterAnalysisTemplate({
      metadata: { name: "success-rate" },
      spec: {
        args: ARGS,
        metrics: [
          {
            name: "success-rate",
            interval: "1m",
            count: 5,
            failureLimit: 1,
            successCondition: `len(result) == 0 || result[0] >= ${t.minSuccessRate}`,
            provider: {
              prometheus: {
                ...provider.prometheus,
                query: `sum(rate(http_requests_total${sel(',status!~"5.."')}[2m])) / sum(rate(http_requests_total${sel()}[2m]))`,
              },
            },
          },
        ],
      },
    }),
    "latency-p95": new ClusterAnalysisTemplate({
      metadata: { name: "latency-p95" },
      spec: {
        args: ARGS,
        metrics: [
          {
            name: "latency-p95",
            interval: "1m",
            count: 5,
            failureLimit: 1,
            successCondition: `len(result) == 0 || result[0] <= ${t.maxP95LatencySeconds}`,
            provider: {
              prometheus: {
                ...provider.prometheus,
                query: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket${sel()}[2m])))`,
              },
            },
          },
        ],
      },
    }),
    "model-quality": new ClusterAnalysisTemplate({
      metadata: { name: "model-quality" },
      spec: {
        args: ARGS,
        metrics: [
          {
            name: "model-quality",
            interval: "5m",
            count: 3,
            failureLimit: 0,
            // No data is a failure here: a canary that reports no quality must not be promoted.
            successCondition: `len(result) > 0 && result[0] >= ${t.minModelQuality}`,
            provider: {
              prometheus: {
                ...provider.prometheus,
                query: `min(min_over_time(model_precision${sel()}[10m]))`,
              },
            },
          },
        ],
      },
    }),
  };
}

/** Argo Rollouts at a pinned version and the canary ClusterAnalysisTemplates. */
export class ArgoRollouts extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly templateNames: string[];

  constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:delivery:ArgoRollouts", name, {}, opts);
    const templates = analysisTemplates(args.prometheusUrl, args.thresholds);
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
