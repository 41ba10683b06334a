import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";

/** The platform's namespaces and the Pod Security level each enforces. */
export const PLATFORM_NAMESPACES = {
  mlflow: "restricted",
  argocd: "baseline",
  "argo-rollouts": "baseline",
  // node-exporter needs host networking and host paths.
  monitoring: "privileged",
  // Model servers deployed by Argo CD.
  models: "restricted",
  // Training jobs (they reach MLflow; GPU jobs tolerate the GPU taint, see the README).
  training: "restricted",
} as const;

export type PlatformNamespace = keyof typeof PLATFORM_NAMESPACES;

/**
 * Namespaces whose workloads the platform or the GitOps repository owns: each admits ingress only
 * from its own pods unless a workload's own NetworkPolicy opens more (MLflow's, each model's
 * rendered one; NetworkPolicies add up). CIS 5.3.2 / kubescape C-0206. The chart namespaces
 * (argocd, argo-rollouts, monitoring) keep their charts' traffic: their webhooks, scrapes and
 * UIs need rules a real cluster must confirm first.
 */
export const ISOLATED_NAMESPACES: readonly PlatformNamespace[] = ["mlflow", "models", "training"];

/** The policy every isolated namespace gets: ingress from pods of the same namespace only. Pure. */
export function namespaceIsolation(ns: PlatformNamespace, env: string) {
  return {
    metadata: { name: "namespace-isolation", namespace: ns, labels: ownershipLabels(env) },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      // Distributed training and the canary comparison Job talk to pods of their own namespace;
      // kubelet probes come from the node, which NetworkPolicies always admit
      // (kubernetes.io/docs/concepts/services-networking/network-policies).
      ingress: [{ from: [{ podSelector: {} }] }],
    },
  };
}

/** Who owns an object the namespaces component creates. Pure. */
const ownershipLabels = (env: string) => ({
  "app.kubernetes.io/part-of": "mlops-platform",
  "app.kubernetes.io/managed-by": "pulumi",
  "mlops.dev/environment": env,
});

/** Labels of one namespace: ownership plus Pod Security admission. Pure. */
export function namespaceLabels(ns: PlatformNamespace, env: string): Record<string, string> {
  const level = PLATFORM_NAMESPACES[ns];
  return {
    ...ownershipLabels(env),
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/warn": "restricted",
  };
}

export interface PlatformNamespacesArgs {
  /** Environment name, written to every namespace's labels. */
  environment: string;
}

/** The platform's namespaces, and the isolation policy of those the platform's own workloads use. */
export class PlatformNamespaces extends pulumi.ComponentResource {
  public readonly namespaces: Record<PlatformNamespace, k8s.core.v1.Namespace>;

  constructor(name: string, args: PlatformNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:cluster:PlatformNamespaces", name, {}, opts);
    const entries = (Object.keys(PLATFORM_NAMESPACES) as PlatformNamespace[]).map(
      (ns) =>
        [
          ns,
          new k8s.core.v1.Namespace(
            `${name}-${ns}`,
            { metadata: { name: ns, labels: namespaceLabels(ns, args.environment) } },
            { parent: this },
          ),
        ] as const,
    );
    this.namespaces = Object.fromEntries(entries) as Record<
      PlatformNamespace,
      k8s.core.v1.Namespace
    >;
    for (const ns of ISOLATED_NAMESPACES)
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${ns}-isolation`,
        namespaceIsolation(ns, args.environment),
        { parent: this, dependsOn: [this.namespaces[ns]] },
      );
    this.registerOutputs({});
  }

  /** The namespace's name as an Output, so dependents wait for it to exist. */
  name(ns: PlatformNamespace): pulumi.Output<string> {
    return this.namespaces[ns].metadata.name;
  }
}
