/**
 * cluster-autoscaler for the node groups (GPU pools scale from zero): an IRSA
 * role that may only scale groups tagged as owned by this cluster, and the
 * pinned chart with the image that matches the Kubernetes minor.
 */
import * as aws from "../sdk";
import type * as k8s from "../../lib/k8s";
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS, pinnedRelease } from "../../lib/helm";
import { clusterAutoscalerPolicy, type PolicyDocument } from "../iamDocuments";
import { serviceRole, type RoleContext } from "../serviceRole";
import { CLUSTER_AUTOSCALER_TAGS } from "./addonVersions";

/** Tags cluster-autoscaler's auto-discovery looks for on a node group's ASG. Pure. */
export function autoscalerDiscoveryTags(clusterName: string): Record<string, string> {
  return {
    "k8s.io/cluster-autoscaler/enabled": "true",
    [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
  };
}

export function createClusterAutoscaler(
  ctx: RoleContext,
  args: {
    clusterName: string;
    region: string;
    kubernetesVersion: string;
    irsa: (namespace: string, serviceAccount: string) => pulumi.Output<PolicyDocument>;
    provider: k8s.Provider;
    /** Where it runs: the system pool's labels. */
    nodeSelector: Record<string, string>;
  },
): k8s.Release {
  const role = serviceRole(
    ctx,
    "cluster-autoscaler",
    args.irsa("kube-system", "cluster-autoscaler"),
    [],
    `cluster-autoscaler of ${args.clusterName} (IRSA)`,
  );
  const policy = new aws.iam.RolePolicy(
    `${ctx.name}-cluster-autoscaler`,
    { role: role.role.name, policy: JSON.stringify(clusterAutoscalerPolicy(args.clusterName)) },
    { parent: ctx.parent },
  );
  return pinnedRelease(
    `${ctx.name}-cluster-autoscaler`,
    CHARTS.clusterAutoscaler,
    {
      releaseName: "cluster-autoscaler",
      namespace: "kube-system",
      // Keys checked against cluster-autoscaler 9.50.1 charts/cluster-autoscaler/values.yaml.
      values: {
        cloudProvider: "aws",
        awsRegion: args.region,
        autoDiscovery: { clusterName: args.clusterName },
        image: { tag: CLUSTER_AUTOSCALER_TAGS[args.kubernetesVersion] },
        rbac: {
          serviceAccount: {
            create: true,
            name: "cluster-autoscaler",
            annotations: { "eks.amazonaws.com/role-arn": role.role.arn },
          },
        },
        extraArgs: {
          "balance-similar-node-groups": true,
          "skip-nodes-with-system-pods": false,
          expander: "least-waste",
        },
        nodeSelector: args.nodeSelector,
        priorityClassName: "system-cluster-critical",
      },
    },
    { parent: ctx.parent, provider: args.provider, dependsOn: [policy] },
  );
}
