/**
 * docs/iam/aws-deployer-policy.json is what the README tells platform engineers to give the
 * role that runs `pulumi up` on AWS. Every resource type and data source the program uses is
 * mapped here to the API call that creates it (or reads it), and the IAM simulator decides
 * whether the documented policy allows that call. A new resource type fails until it is
 * added to the table and, if needed, to the policy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stackFileConfig } from "../../scripts/lib/mocks";
import { ACCOUNT, simulate } from "../helpers/iamSimulate";
import { runStack } from "../helpers/stack";

const POLICY = JSON.parse(
  fs.readFileSync(path.join(__dirname, "../../docs/iam/aws-deployer-policy.json"), "utf8"),
);
const R = "us-east-1";
const role = (n: string) => `arn:aws:iam::${ACCOUNT}:role/${n}`;
const ec2 = (what: string) => `arn:aws:ec2:${R}:${ACCOUNT}:${what}`;
const eks = (what: string) => `arn:aws:eks:${R}:${ACCOUNT}:${what}`;
const rds = (what: string) => `arn:aws:rds:${R}:${ACCOUNT}:${what}`;
const BUCKET = "arn:aws:s3:::mlops-prod-tracking-artifacts-a1b2c3d";

/** Pulumi type -> the calls a create makes: [action, resource, context]. */
const CREATE_CALLS: Record<string, [string, string, Record<string, string>?][]> = {
  "aws:autoscaling/tag:Tag": [
    ["autoscaling:CreateOrUpdateTags", `arn:aws:autoscaling:${R}:${ACCOUNT}:autoScalingGroup:*`],
  ],
  "aws:cloudwatch/logGroup:LogGroup": [
    ["logs:CreateLogGroup", `arn:aws:logs:${R}:${ACCOUNT}:log-group:/aws/eks/mlops-prod/cluster`],
    [
      "logs:PutRetentionPolicy",
      `arn:aws:logs:${R}:${ACCOUNT}:log-group:/mlops/mlops-prod/vpc-flow-logs-1`,
    ],
    [
      "logs:CreateLogGroup",
      `arn:aws:logs:${R}:${ACCOUNT}:log-group:/aws/codebuild/mlops-prod-ci-runner`,
    ],
  ],
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": [
    ["ec2:RevokeSecurityGroupIngress", ec2("security-group/sg-1")],
  ],
  "aws:ec2/eip:Eip": [["ec2:AllocateAddress", ec2("elastic-ip/*")]],
  "aws:ec2/flowLog:FlowLog": [
    ["ec2:CreateFlowLogs", ec2("vpc-flow-log/*")],
    [
      "iam:PassRole",
      role("mlops-prod-network-flow-logs-1"),
      { "iam:PassedToService": "vpc-flow-logs.amazonaws.com" },
    ],
  ],
  "aws:ec2/internetGateway:InternetGateway": [
    ["ec2:CreateInternetGateway", ec2("internet-gateway/*")],
  ],
  "aws:ec2/launchTemplate:LaunchTemplate": [["ec2:CreateLaunchTemplate", ec2("launch-template/*")]],
  "aws:ec2/natGateway:NatGateway": [["ec2:CreateNatGateway", ec2("natgateway/*")]],
  "aws:ec2/route:Route": [["ec2:CreateRoute", ec2("route-table/rtb-1")]],
  "aws:ec2/routeTable:RouteTable": [["ec2:CreateRouteTable", ec2("route-table/*")]],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": [
    ["ec2:AssociateRouteTable", ec2("route-table/rtb-1")],
  ],
  "aws:ec2/securityGroup:SecurityGroup": [["ec2:CreateSecurityGroup", ec2("security-group/*")]],
  "aws:ec2/subnet:Subnet": [["ec2:CreateSubnet", ec2("subnet/*")]],
  "aws:ec2/vpc:Vpc": [["ec2:CreateVpc", ec2("vpc/*")]],
  "aws:ec2/vpcEndpoint:VpcEndpoint": [["ec2:CreateVpcEndpoint", ec2("vpc-endpoint/*")]],
  "aws:eks/accessEntry:AccessEntry": [["eks:CreateAccessEntry", eks("cluster/mlops-prod")]],
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": [
    ["eks:AssociateAccessPolicy", eks("access-entry/mlops-prod/role/123456789012/github-deploy/x")],
  ],
  "aws:eks/addon:Addon": [["eks:CreateAddon", eks("cluster/mlops-prod")]],
  "aws:eks/cluster:Cluster": [
    ["eks:CreateCluster", "*"],
    [
      "iam:PassRole",
      role("mlops-prod-cluster-cluster-role-1"),
      { "iam:PassedToService": "eks.amazonaws.com" },
    ],
    [
      "iam:CreateServiceLinkedRole",
      role("aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS"),
      { "iam:AWSServiceName": "eks.amazonaws.com" },
    ],
  ],
  "aws:eks/nodeGroup:NodeGroup": [
    ["eks:CreateNodegroup", eks("cluster/mlops-prod")],
    [
      "iam:PassRole",
      role("mlops-prod-cluster-node-role-1"),
      { "iam:PassedToService": "eks.amazonaws.com" },
    ],
  ],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": [
    [
      "iam:CreateOpenIDConnectProvider",
      `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${R}.amazonaws.com/id/ABC`,
    ],
  ],
  "aws:iam/role:Role": [["iam:CreateRole", role("mlops-prod-tracking-mlflow-1")]],
  "aws:iam/rolePolicy:RolePolicy": [["iam:PutRolePolicy", role("mlops-prod-tracking-mlflow-1")]],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
    ["iam:AttachRolePolicy", role("mlops-prod-cluster-node-role-1")],
  ],
  "aws:kms/alias:Alias": [
    ["kms:CreateAlias", `arn:aws:kms:${R}:${ACCOUNT}:alias/mlops-prod-mlflow-db`],
  ],
  "aws:kms/key:Key": [["kms:CreateKey", "*"]],
  "aws:rds/instance:Instance": [
    ["rds:CreateDBInstance", rds("db:mlops-prod-tracking-pg-1")],
    [
      "iam:CreateServiceLinkedRole",
      role("aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS"),
      { "iam:AWSServiceName": "rds.amazonaws.com" },
    ],
  ],
  "aws:rds/parameterGroup:ParameterGroup": [["rds:CreateDBParameterGroup", rds("pg:mlops-prod-1")]],
  "aws:rds/subnetGroup:SubnetGroup": [["rds:CreateDBSubnetGroup", rds("subgrp:mlops-prod-1")]],
  "aws:s3/bucket:Bucket": [["s3:CreateBucket", BUCKET]],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
    ["s3:PutLifecycleConfiguration", BUCKET],
  ],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [
    ["s3:PutBucketOwnershipControls", BUCKET],
  ],
  "aws:s3/bucketPolicy:BucketPolicy": [["s3:PutBucketPolicy", BUCKET]],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [
    ["s3:PutBucketPublicAccessBlock", BUCKET],
  ],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
    ["s3:PutEncryptionConfiguration", BUCKET],
  ],
  "aws:s3/bucketVersioning:BucketVersioning": [["s3:PutBucketVersioning", BUCKET]],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
    ["ec2:AuthorizeSecurityGroupIngress", ec2("security-group/sg-1")],
  ],
  "aws:codebuild/project:Project": [
    ["codebuild:CreateProject", `arn:aws:codebuild:${R}:${ACCOUNT}:project/mlops-prod-ci-runner`],
    [
      "iam:PassRole",
      role("mlops-prod-ci-runner-role-1"),
      { "iam:PassedToService": "codebuild.amazonaws.com" },
    ],
    [
      "codeconnections:PassConnection",
      `arn:aws:codeconnections:${R}:${ACCOUNT}:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
    ],
  ],
  "aws:codebuild/webhook:Webhook": [
    ["codebuild:CreateWebhook", `arn:aws:codebuild:${R}:${ACCOUNT}:project/mlops-prod-ci-runner`],
  ],
};
/** Data sources the program calls on AWS; null: answered from the provider's own config, no API call. */
const READ_CALLS: Record<string, [string, string] | null> = {
  "aws:index/getPartition:getPartition": null,
  "aws:index/getRegion:getRegion": null,
  // An assumed-role ARN is mapped back to its role with GetRole (TF aws_iam_session_context).
  "aws:iam/getSessionContext:getSessionContext": ["iam:GetRole", role("github-deploy")],
  "aws:index/getCallerIdentity:getCallerIdentity": ["sts:GetCallerIdentity", "*"],
  "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones", "*"],
};

const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
  simulate({
    principal: role("github-deploy"),
    identity: [{ name: "deployer", policy: POLICY }],
    action,
    resource,
    context,
  });

describe("the documented AWS deployer policy covers what the program creates", () => {
  const types = new Set<string>();
  const invokes = new Set<string>();
  beforeAll(async () => {
    const runner = {
      repository: "https://github.com/acme/mlops-platform",
      connectionArn: `arn:aws:codeconnections:${R}:${ACCOUNT}:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
    };
    for (const env of ["dev", "prod"]) {
      const run = await runStack(env, {
        "mlops-platform:cloud": "aws",
        "aws:region": R,
        "mlops-platform:cluster": {
          ...JSON.parse(stackFileConfig(env)["mlops-platform:cluster"]),
          ciRunner: runner,
        },
        "mlops-platform:network": { flowLogs: true },
      });
      for (const r of run.resources) if (r.custom && r.type.startsWith("aws:")) types.add(r.type);
      for (const i of run.invokes) if (i.startsWith("aws:")) invokes.add(i);
    }
  }, 120_000);

  it("every AWS resource type the program uses has its create calls listed", () => {
    expect(types.size).toBeGreaterThan(30);
    expect([...types].filter((t) => !CREATE_CALLS[t]).sort()).toEqual([]);
  });
  it("the policy allows every create call", async () => {
    const refused: string[] = [];
    for (const t of types)
      for (const [action, resource, context] of CREATE_CALLS[t] ?? [])
        if ((await decide(action, resource, context).catch((e) => String(e))) !== "Allowed")
          refused.push(`${t}: ${action} on ${resource}`);
    expect(refused).toEqual([]);
  });
  it("and every data-source call", async () => {
    for (const i of invokes) expect(READ_CALLS[i], i).not.toBeUndefined();
    for (const call of Object.values(READ_CALLS))
      if (call) expect(await decide(call[0], call[1]), call[0]).toBe("Allowed");
  });
  it("but no role outside the platform's prefix, and no role passed to another service", async () => {
    expect(await decide("iam:CreateRole", role("Admin"))).not.toBe("Allowed");
    expect(await decide("iam:AttachRolePolicy", role("OrganizationAccountAccessRole"))).not.toBe(
      "Allowed",
    );
    expect(
      await decide("iam:PassRole", role("mlops-prod-cluster-node-role-1"), {
        "iam:PassedToService": "lambda.amazonaws.com",
      }),
    ).not.toBe("Allowed");
    expect(await decide("s3:GetObject", "arn:aws:s3:::payroll/2026.csv")).not.toBe("Allowed");
    expect(await decide("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/backdoor`)).not.toBe(
      "Allowed",
    );
  });
});
