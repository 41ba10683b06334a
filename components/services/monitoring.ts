import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { customResource, schemaProblems } from "./crd";
import { CHARTS, pinnedRelease } from "../lib/helm";
import { validateArgs } from "../lib/validation";
import {
  MODELS_NAMESPACE,
  MODEL_METRICS,
  POSITIVE_OUTCOME,
  SERVER_ERROR_STATUS,
} from "./metrics";

/** Release name of kube-prometheus-stack; fixes the Prometheus Service name other components query. */
export const PROMETHEUS_RELEASE = "kube-prometheus-stack";

/** In-cluster Prometheus URL for a namespace (used by the canary analysis templates). */
export function prometheusUrl(namespace: string): string {
  return `http://${PROMETHEUS_RELEASE}-prometheus.${namespace}.svc.cluster.local:9090`;
}

export interface MonitoringArgs {
  /** Namespace name (created by the caller). */
  namespace: pulumi.Input<string>;
  /** Literal namespace name, for in-cluster URLs. */
  namespaceName: string;
  environment: "dev" | "staging" | "prod";
  /** StorageClass for Prometheus' volume (from the cluster contract). */
  storageClass: string;
  /** Taint of GPU nodes: node-exporter must tolerate it to report GPU nodes. */
  gpuTaintKey: string;
}

/** Chart values per environment. Pure: prod is replicated with persistent storage. */
export function kubePrometheusStackValues(
  env: MonitoringArgs["environment"],
  storageClass: string,
  gpuTaintKey: string,
) {
  const prod = env === "prod";
  const size = { dev: "20Gi", staging: "50Gi", prod: "200Gi" }[env];
  return {
    fullnameOverride: PROMETHEUS_RELEASE,
    crds: { enabled: true },
    prometheus: {
      prometheusSpec: {
        replicas: prod ? 2 : 1,
        retention: { dev: "3d", staging: "7d", prod: "15d" }[env],
        // Pick up every ServiceMonitor/PodMonitor/PrometheusRule, not only the chart's own.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        resources: prod
          ? { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "8Gi" } }
          : { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: storageClass,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: size } },
            },
          },
        },
      },
    },
    alertmanager: { alertmanagerSpec: { replicas: prod ? 2 : 1 } },
    grafana: {
      enabled: true,
      // Admin credentials come from our Secret, never the chart's default password.
      admin: {
        existingSecret: "grafana-admin",
        userKey: "admin-user",
        passwordKey: "admin-password",
      },
      service: { type: "ClusterIP" },
    },
    "prometheus-node-exporter": {
      tolerations: [{ key: gpuTaintKey, operator: "Exists", effect: "NoSchedule" }],
    },
  };
}

/** Where each alert's runbook lives (a heading in docs/runbooks.md, anchored by the alert's name). */
export const RUNBOOKS = "docs/runbooks.md";
const runbook = (alert: string) => `${RUNBOOKS}#${alert.toLowerCase()}`;

const { requests, latency, predictions, precision } = MODEL_METRICS;
const models = `namespace="${MODELS_NAMESPACE}"`;
/** Every model expression aggregates to (namespace, service): pods come and go, the service stays. */
const BY_SERVICE = "sum by (namespace, service)";

/**
 * Alerts on model serving (latency, errors, quality and prediction drift day
 * over day) and on GPUs (DCGM exporter metrics, both clouds). Pure.
 */
export function platformAlertRules() {
  const alert = (
    name: string,
    expr: string,
    forDuration: string,
    severity: "critical" | "warning" | "info",
    summary: string,
  ) => ({
    alert: name,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, runbook: runbook(name) },
  });
  const positiveShare = (offset: string) =>
    `${BY_SERVICE} (rate(${predictions}{${models},outcome="${POSITIVE_OUTCOME}"}[1h]${offset})) / ${BY_SERVICE} (rate(${predictions}{${models}}[1h]${offset}))`;
  return [
    {
      name: "model-serving",
      rules: [
        alert(
          "ModelHighP95Latency",
          `histogram_quantile(0.95, sum by (le, namespace, service) (rate(${latency}_bucket{${models}}[5m]))) > 0.5`,
          "10m",
          "warning",
          "p95 latency of {{ $labels.service }} is above 500ms for 10 minutes.",
        ),
        alert(
          "ModelHighErrorRate",
          `${BY_SERVICE} (rate(${requests}{${models},${SERVER_ERROR_STATUS}}[5m])) / ${BY_SERVICE} (rate(${requests}{${models}}[5m])) > 0.01`,
          "5m",
          "critical",
          "More than 1% of requests to {{ $labels.service }} fail.",
        ),
        alert(
          "ModelQualityDrop",
          // Today's mean precision against yesterday's, per service: a restart changes the pod label, not the service.
          `avg by (namespace, service) (avg_over_time(${precision}{${models}}[1d])) < avg by (namespace, service) (avg_over_time(${precision}{${models}}[1d] offset 1d)) - 0.05`,
          "1h",
          "warning",
          "Precision of {{ $labels.service }} dropped by more than 5 points against yesterday.",
        ),
        alert(
          "ModelPredictionDrift",
          // The seeds' drift alert, made valid PromQL: the share of positive predictions moved by more than 2 points in a day.
          `abs(${positiveShare("")} - ${positiveShare(" offset 1d")}) > 0.02`,
          "1h",
          "warning",
          "The positive-prediction share of {{ $labels.service }} moved by more than 2 points against yesterday.",
        ),
      ],
    },
    {
      // Labels from dcgm-exporter 4.8.2 (chart dcgm-exporter 4.8.2): `Hostname` and `gpu`.
      name: "gpu",
      rules: [
        alert(
          "GpuXidErrors",
          "max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0",
          "5m",
          "critical",
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reports XID errors.",
        ),
        alert(
          "GpuHighTemperature",
          "max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP) > 85",
          "10m",
          "warning",
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is above 85C.",
        ),
        alert(
          "GpuIdleButAllocated",
          "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL) < 5 and on (Hostname, gpu) max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED) > 0",
          "2h",
          "info",
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is allocated but idle for 2 hours.",
        ),
      ],
    },
  ];
}

/**
 * kube-prometheus-stack at a pinned version, sized per environment, with
 * Grafana's admin password generated and kept in a Secret, plus the platform's
 * PrometheusRule (model and GPU alerts).
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly prometheusUrl: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:monitoring:Monitoring", name, {}, opts);
    const rule = new PrometheusRule({
      metadata: {
        name: "mlops-platform-alerts",
        labels: { "app.kubernetes.io/part-of": "mlops-platform" },
      },
      spec: { groups: platformAlertRules() },
    });
    validateArgs("mlops:monitoring:Monitoring", name, schemaProblems({ prometheusRule: rule }));

    const adminPassword = new random.RandomPassword(
      `${name}-grafana-admin`,
      { length: 24, special: false },
      { parent: this },
    );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: "grafana-admin", namespace: args.namespace },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": adminPassword.result },
      },
      { parent: this },
    );

    this.release = pinnedRelease(
      `${name}-kube-prometheus-stack`,
      CHARTS.kubePrometheusStack,
      {
        releaseName: PROMETHEUS_RELEASE,
        namespace: args.namespace,
        values: kubePrometheusStackValues(args.environment, args.storageClass, args.gpuTaintKey),
      },
      { parent: this, dependsOn: [adminSecret] },
    );

    customResource(`${name}-alerts`, rule, args.namespace, {
      parent: this,
      dependsOn: [this.release],
    });

    this.prometheusUrl = prometheusUrl(args.namespaceName);
    this.registerOutputs({ prometheusUrl: this.prometheusUrl });
  }
}
