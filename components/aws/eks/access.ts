/**
 * Who may use the cluster's API: EKS access entries (authentication mode API)
 * with the cluster-admin access policy for the deployer and the configured admins.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The EKS access policy admins get, cluster-wide. */
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

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
 * (the role behind an assumed-role session) and for each of `adminPrincipals`.
 */
export function createAdminAccess(
  name: string,
  parent: pulumi.Resource,
  args: {
    clusterName: pulumi.Input<string>;
    adminPrincipals: string[];
    partition: pulumi.Input<string>;
    tags: Record<string, string>;
  },
): AdminAccess {
  const caller = aws.getCallerIdentityOutput({}, { parent });
  const deployer = aws.iam.getSessionContextOutput({ arn: caller.arn }, { parent }).issuerArn;
  const admins: { slug: string; arn: pulumi.Input<string> }[] = [
    { slug: "deployer", arn: deployer },
    ...args.adminPrincipals.map((arn) => ({ slug: principalSlug(arn), arn })),
  ];
  const entries: aws.eks.AccessEntry[] = [];
  const associations = admins.map(({ slug, arn }) => {
    const entry = new aws.eks.AccessEntry(
      `${name}-admin-${slug}`,
      { clusterName: args.clusterName, principalArn: arn, type: "STANDARD", tags: args.tags },
      { parent },
    );
    entries.push(entry);
    return new aws.eks.AccessPolicyAssociation(
      `${name}-admin-${slug}`,
      {
        clusterName: args.clusterName,
        principalArn: entry.principalArn,
        policyArn: pulumi.interpolate`arn:${args.partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`,
        accessScope: { type: "cluster" },
      },
      { parent },
    );
  });
  return { entries, associations };
}
