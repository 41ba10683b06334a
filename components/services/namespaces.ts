import * as k8s from "@pulumi/kubernetes";
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

/** Labels of one namespace: ownership plus Pod Security admission. Pure. */
export function namespaceLabels(ns: PlatformNamespace, env: string): Record<string, string> {
  const level = PLATFORM_NAMESPACES[ns];
  return {
    "app.kubernetes.io/part-of": "mlops-platform",
    "app.kubernetes.io/managed-by": "pulumi",
    "mlops.dev/environment": env,
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/warn": "restricted",
  };
}

export interface PlatformNamespacesArgs {
  /** Environment name, written to every namespace's labels. */
  environment: string;
}

/** The mlflow, argocd, argo-rollouts, monitoring and models namespaces. */
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
    this.registerOutputs({});
  }

  /** The namespace's name as an Output, so dependents wait for it to exist. */
  name(ns: PlatformNamespace): pulumi.Output<string> {
    return this.namespaces[ns].metadata.name;
  }
}
