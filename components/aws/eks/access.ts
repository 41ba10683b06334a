/**
 * Who may use the cluster's API: EKS access entries (authentication mode API)
 * with the cluster-admin access policy for the deployer and the configured admins,
 * and a read-everything policy for the roles that preview and check drift.
 */
import * as aws from "../sdk";
import * as pulumi from "@pulumi/pulumi";
import { FIXED_IDENTITY } from "../../lib/replacement";

/** The EKS access policy admins get, cluster-wide. */
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";
/**
 * The EKS access policy preview/drift roles get: list and read every resource, Secrets
 * included, which refresh needs for the Secrets the stack owns (AmazonEKSViewPolicy
 * omits Secrets; EKS user guide, "Review access policy permissions").
 */
export const CLUSTER_VIEWER_POLICY = "AmazonEKSAdminViewPolicy";

/** A resource-name-safe slug for an ARN (its last path segment), e.g. `role-platform-admins`. Pure. */
export function principalSlug(arn: string): string {
  const [, kind = "principal", rest = arn] = /:(role|user)\/(.*)$/.exec(arn) ?? [];
  return `${kind}-${rest.split("/").pop()}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 40);
}

export interface AdminAccess {
  entries: aws.eks.AccessEntry[];
  /** The policy associations; the Kubernetes provider waits for them. */
  associations: aws.eks.AccessPolicyAssociation[];
}

/**
 * An access entry plus cluster-admin for the identity running `pulumi up`
 * (`deployerPrincipal`, else the role behind the caller's assumed-role session) and
 * for each of `adminPrincipals`; plus read access for each of `viewerPrincipals`.
 */
export function createAdminAccess(
  name: string,
  parent: pulumi.Resource,
  args: {
    clusterName: pulumi.Input<string>;
    adminPrincipals: string[];
    deployerPrincipal?: string;
    viewerPrincipals: string[];
    partition: pulumi.Input<string>;
    tags: Record<string, string>;
  },
): AdminAccess {
  const deployer: pulumi.Input<string> =
    args.deployerPrincipal ??
    aws.iam.getSessionContextOutput(
      { arn: aws.getCallerIdentityOutput({}, { parent }).arn },
      { parent },
    ).issuerArn;
  const grants: { slug: string; arn: pulumi.Input<string>; policy: string }[] = [
    { slug: "admin-deployer", arn: deployer, policy: CLUSTER_ADMIN_POLICY },
    ...args.adminPrincipals.map((arn) => ({
      slug: `admin-${principalSlug(arn)}`,
      arn,
      policy: CLUSTER_ADMIN_POLICY,
    })),
    ...args.viewerPrincipals.map((arn) => ({
      slug: `view-${principalSlug(arn)}`,
      arn,
      policy: CLUSTER_VIEWER_POLICY,
    })),
  ];
  const entries: aws.eks.AccessEntry[] = [];
  const associations = grants.map(({ slug, arn, policy }) => {
    const entry = new aws.eks.AccessEntry(
      `${name}-${slug}`,
      { clusterName: args.clusterName, principalArn: arn, type: "STANDARD", tags: args.tags },
      { parent, ...FIXED_IDENTITY },
    );
    entries.push(entry);
    return new aws.eks.AccessPolicyAssociation(
      `${name}-${slug}`,
      {
        clusterName: args.clusterName,
        principalArn: entry.principalArn,
        policyArn: pulumi.interpolate`arn:${args.partition}:eks::aws:cluster-access-policy/${policy}`,
        accessScope: { type: "cluster" },
      },
      { parent, ...FIXED_IDENTITY },
    );
  });
  return { entries, associations };
}
