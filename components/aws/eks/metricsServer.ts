/**
 * metrics-server for EKS, which does not run one by default (GKE does): the
 * resource metrics API that HorizontalPodAutoscalers (Argo CD's in prod) and
 * `kubectl top` read. Values keys checked against metrics-server chart 3.13.1
 * charts/metrics-server/values.yaml.
 */
import type * as k8s from "../../lib/k8s";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS, pinnedRelease } from "../../lib/helm";

export function createMetricsServer(
  name: string,
  parent: pulumi.Resource,
  args: { provider: k8s.Provider; nodeSelector: Record<string, string>; replicas: number },
): k8s.Release {
  return pinnedRelease(
    `${name}-metrics-server`,
    CHARTS.metricsServer,
    {
      releaseName: "metrics-server",
      namespace: "kube-system",
      values: {
        replicas: args.replicas,
        nodeSelector: args.nodeSelector,
        // With two replicas a node drain keeps the metrics API (and the HPAs) answering.
        podDisruptionBudget: { enabled: args.replicas > 1, minAvailable: 1 },
        resources: {
          requests: { cpu: "100m", memory: "200Mi" },
          limits: { cpu: "500m", memory: "400Mi" },
        },
      },
    },
    { parent, provider: args.provider },
  );
}
