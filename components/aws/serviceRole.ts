/**
 * The one way the AWS layer makes an IAM role: a trust policy, AWS-managed
 * policies attached by name (in the stack's partition), tags. Child names
 * `${name}-${id}` and `${name}-${id}-<policy-slug>`.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "./iamDocuments";

export interface ServiceRole {
  role: aws.iam.Role;
  attachments: aws.iam.RolePolicyAttachment[];
}

/** Everything the roles of one component share. */
export interface RoleContext {
  /** The component's name (prefix of child names). */
  name: string;
  parent: pulumi.Resource;
  /** `aws`, `aws-cn`, `aws-us-gov`: the partition of managed-policy ARNs. */
  partition: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** ARN of an AWS-managed policy (`AmazonEKSClusterPolicy`, `service-role/...`) in the partition. */
export function managedPolicyArn(partition: pulumi.Input<string>, policy: string) {
  return pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;
}

export function serviceRole(
  ctx: RoleContext,
  id: string,
  trust: pulumi.Input<PolicyDocument>,
  policies: string[],
  description: string,
): ServiceRole {
  const role = new aws.iam.Role(
    `${ctx.name}-${id}`,
    {
      description,
      assumeRolePolicy: pulumi.output(trust).apply((t) => JSON.stringify(t)),
      tags: ctx.tags,
    },
    { parent: ctx.parent },
  );
  const attachments = policies.map(
    (p) =>
      new aws.iam.RolePolicyAttachment(
        `${ctx.name}-${id}-${p.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
        { role: role.name, policyArn: managedPolicyArn(ctx.partition, p) },
        { parent: ctx.parent },
      ),
  );
  return { role, attachments };
}
