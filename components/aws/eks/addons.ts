/**
 * EKS managed add-ons at pinned versions (./addonVersions.ts), in two stages:
 * what nodes need to become Ready (VPC CNI with its IRSA role, kube-proxy), and
 * what needs a node to run on (CoreDNS, EBS CSI with its IRSA role).
 */
import * as aws from "../sdk";
import type * as pulumi from "@pulumi/pulumi";
import type { EksAddon } from "../../model";
import type { PolicyDocument } from "../iamDocuments";
import { serviceRole, type RoleContext } from "../serviceRole";
import { FIXED_IDENTITY } from "../../lib/replacement";

export interface AddonContext extends RoleContext {
  clusterName: pulumi.Input<string>;
  /** The physical cluster name, for role descriptions. */
  clusterLabel: string;
  versions: Record<EksAddon, string>;
  /** Trust policy for a Kubernetes service account (IRSA). */
  irsa: (namespace: string, serviceAccount: string) => pulumi.Output<PolicyDocument>;
}

function eksAddon(
  ctx: AddonContext,
  addonName: EksAddon,
  extra: { serviceAccountRoleArn?: pulumi.Input<string>; configurationValues?: string },
  dependsOn: pulumi.Resource[],
): aws.eks.Addon {
  return new aws.eks.Addon(
    `${ctx.name}-${addonName}`,
    {
      clusterName: ctx.clusterName,
      addonName,
      addonVersion: ctx.versions[addonName],
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      tags: ctx.tags,
      ...extra,
    },
    { parent: ctx.parent, dependsOn, ...FIXED_IDENTITY },
  );
}

/** VPC CNI (own IRSA role, NetworkPolicy enforcement on) and kube-proxy: nodes wait for these. */
export function createNetworkAddons(ctx: AddonContext) {
  const cniRole = serviceRole(
    ctx,
    "vpc-cni",
    ctx.irsa("kube-system", "aws-node"),
    ["AmazonEKS_CNI_Policy"],
    `VPC CNI of ${ctx.clusterLabel} (IRSA)`,
  );
  const vpcCni = eksAddon(
    ctx,
    "vpc-cni",
    {
      serviceAccountRoleArn: cniRole.role.arn,
      // NetworkPolicy enforcement (the platform ships NetworkPolicies), as Dataplane V2 does on GKE.
      configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
    },
    cniRole.attachments,
  );
  const kubeProxy = eksAddon(ctx, "kube-proxy", {}, []);
  return { vpcCni, kubeProxy };
}

/** CoreDNS and the EBS CSI driver (own IRSA role): both need a node to schedule on. */
export function createNodeAddons(ctx: AddonContext, systemNodeGroup: aws.eks.NodeGroup) {
  const coreDns = eksAddon(ctx, "coredns", {}, [systemNodeGroup]);
  const ebsRole = serviceRole(
    ctx,
    "ebs-csi",
    ctx.irsa("kube-system", "ebs-csi-controller-sa"),
    ["service-role/AmazonEBSCSIDriverPolicy"],
    `EBS CSI driver of ${ctx.clusterLabel} (IRSA)`,
  );
  const ebsCsi = eksAddon(ctx, "aws-ebs-csi-driver", { serviceAccountRoleArn: ebsRole.role.arn }, [
    systemNodeGroup,
    ...ebsRole.attachments,
  ]);
  return { coreDns, ebsCsi };
}
