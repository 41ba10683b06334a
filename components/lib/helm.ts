/**
 * The pinned Helm charts the platform installs, in one table, and the one way
 * we install them. Exact versions only (the policy pack refuses ranges); bump
 * them here, in a reviewed change.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface ChartRef {
  chart: string;
  version: string;
  repo: string;
}

export const CHARTS = {
  argoCd: { chart: "argo-cd", version: "9.1.0", repo: "https://argoproj.github.io/argo-helm" },
  argoRollouts: {
    chart: "argo-rollouts",
    version: "2.40.9",
    repo: "https://argoproj.github.io/argo-helm",
  },
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    version: "82.10.5",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  nvidiaDevicePlugin: {
    chart: "nvidia-device-plugin",
    version: "0.17.1",
    repo: "https://nvidia.github.io/k8s-device-plugin",
  },
  dcgmExporter: {
    chart: "dcgm-exporter",
    version: "4.8.3",
    repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
  },
  /** EKS only: scales node groups (GPU pools from zero). App version must match the Kubernetes minor (image tag set per minor). */
  clusterAutoscaler: {
    chart: "cluster-autoscaler",
    version: "9.50.1",
    repo: "https://kubernetes.github.io/autoscaler",
  },
} as const satisfies Record<string, ChartRef>;

/** Helm repositories the policy pack allows by default. */
export const ALLOWED_CHART_REPOS = [...new Set(Object.values(CHARTS).map((c) => c.repo))];

/**
 * A `helm.v3.Release` of a pinned chart into a namespace we created. `atomic`
 * rolls back a failed upgrade; the release name is fixed so in-cluster DNS
 * names (e.g. the Prometheus service) are stable.
 */
export function pinnedRelease(
  name: string,
  ref: ChartRef,
  args: {
    releaseName: string;
    namespace: pulumi.Input<string>;
    values: pulumi.Input<Record<string, unknown>>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: args.releaseName,
      chart: ref.chart,
      version: ref.version,
      repositoryOpts: { repo: ref.repo },
      namespace: args.namespace,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      values: args.values,
    },
    opts,
  );
}
