/**
 * The pinned Helm charts the platform installs, in one table, and the
 * repositories the policy pack allows. Exact versions only (the policy pack
 * refuses ranges); bump them here, in a reviewed change, and record the new
 * version as published (test/fixtures/published-charts.json, with where and when
 * you found it in the repository's index).
 *
 * Pure data: the policy pack imports this file too.
 */

export interface ChartRef {
  chart: string;
  version: string;
  repo: string;
  /** The application version the chart ships (its Chart.yaml appVersion), where CRD models must match it. */
  appVersion?: string;
}

export const CHARTS = {
  /** Argo CD v3.3.9 (argo-helm charts/argo-cd/Chart.yaml at argo-cd-9.5.11). */
  argoCd: {
    chart: "argo-cd",
    version: "9.5.11",
    repo: "https://argoproj.github.io/argo-helm",
    appVersion: "v3.3.9",
  },
  /** Argo Rollouts v1.9.0 (argo-helm charts/argo-rollouts/Chart.yaml at argo-rollouts-2.40.9). */
  argoRollouts: {
    chart: "argo-rollouts",
    version: "2.40.9",
    repo: "https://argoproj.github.io/argo-helm",
    appVersion: "v1.9.0",
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
  /** 4.8.2 is the newest in the chart index (NVIDIA/dcgm-exporter gh-pages helm-charts/index.yaml). */
  dcgmExporter: {
    chart: "dcgm-exporter",
    version: "4.8.2",
    repo: "https://nvidia.github.io/dcgm-exporter/helm-charts",
  },
  /** EKS only: scales node groups (GPU pools from zero). App version must match the Kubernetes minor (image tag set per minor). */
  clusterAutoscaler: {
    chart: "cluster-autoscaler",
    version: "9.50.1",
    repo: "https://kubernetes.github.io/autoscaler",
  },
  /** EKS only (GKE ships metrics-server): resource metrics for HPAs and `kubectl top`. */
  metricsServer: {
    chart: "metrics-server",
    version: "3.13.1",
    repo: "https://kubernetes-sigs.github.io/metrics-server",
  },
} as const satisfies Record<string, ChartRef>;

/**
 * Helm repositories the policy pack allows by default (`helm-release-allowed-repo`):
 * every repository above, plus NVIDIA's NGC repository for the GPU operator, the
 * documented alternative to the device plugin on nodes without preinstalled drivers.
 */
export const ALLOWED_CHART_REPOS: string[] = [
  ...new Set([...Object.values(CHARTS).map((c) => c.repo), "https://helm.ngc.nvidia.com/nvidia"]),
];
