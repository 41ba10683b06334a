/**
 * An in-VPC GitHub Actions runner for stacks whose EKS API is private (or listed only for
 * known addresses): an AWS CodeBuild project in the private subnets, registered with GitHub
 * through a webhook on WORKFLOW_JOB_QUEUED. A job whose `runs-on` is
 * `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}` runs in a fresh
 * CodeBuild container there (docs.aws.amazon.com/codebuild/latest/userguide/action-runner.html).
 * The container reaches the API's private endpoint through the cluster security group, and
 * the internet (GitHub, npm, Pulumi Cloud, AWS APIs) through the NAT gateways, on 443 only.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { codebuildRunnerPolicy, serviceTrustPolicy } from "./iamDocuments";
import { serviceRole } from "./serviceRole";
import { FIXED_IDENTITY } from "../lib/replacement";
import type { CiRunnerSettings } from "../model";
import { validateArgs, type ArgProblem } from "../lib/validation";
import { CI_RUNNER_REASONS, CONNECTION_ARN_RE, GITHUB_REPO_RE } from "./names";

export interface CodeBuildRunnerArgs extends CiRunnerSettings {
  /** Project name; the workflows' runs-on label is built from it. */
  projectName: string;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  /** EKS cluster security group (on the API endpoint's interfaces): gets 443 from the runner. */
  clusterSecurityGroupId: pulumi.Input<string>;
  logRetentionDays: number;
  tags: Record<string, string>;
}

/** Problems with the runner's args, one per bad arg; the config check reports the same words. */
export function codebuildRunnerProblems(args: CiRunnerSettings): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (!GITHUB_REPO_RE.test(args.repository))
    problems.push({
      propertyPath: "repository",
      reason: CI_RUNNER_REASONS.repository(args.repository),
    });
  if (!CONNECTION_ARN_RE.test(args.connectionArn))
    problems.push({
      propertyPath: "connectionArn",
      reason: CI_RUNNER_REASONS.connectionArn(args.connectionArn),
    });
  return problems;
}

/**
 * The `runs-on` label of a job for this runner: CodeBuild starts a build for a queued job
 * whose label is `codebuild-<project>-<run id>-<run attempt>` (action-runner.html).
 */
export function codebuildRunnerLabel(
  projectName: string,
  runId: string,
  runAttempt: string,
): string {
  return `codebuild-${projectName}-${runId}-${runAttempt}`;
}

/** Standard image with Node, git and the AWS CLI; the workflows install the rest themselves. */
export const CI_RUNNER_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";

export class CodeBuildRunner extends pulumi.ComponentResource {
  public readonly project: aws.codebuild.Project;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  public readonly projectName: pulumi.Output<string>;

  constructor(name: string, args: CodeBuildRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:aws:CodeBuildRunner", name, {}, opts);
    validateArgs("mlops:aws:CodeBuildRunner", name, codebuildRunnerProblems(args));
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: `GitHub Actions runner ${args.projectName}: HTTPS out only`,
        egress: [
          {
            description: "GitHub, npm, Pulumi, AWS APIs (via NAT) and the EKS private endpoint",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
          },
        ],
        tags: args.tags,
      },
      { parent: this },
    );

    // EKS applies the cluster security group to the API endpoint's network interfaces
    // (docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html).
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-to-api`,
      {
        securityGroupId: args.clusterSecurityGroupId,
        referencedSecurityGroupId: this.securityGroup.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: `Kubernetes API from the CI runner ${args.projectName}`,
        tags: args.tags,
      },
      { parent: this },
    );

    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/codebuild/${args.projectName}`,
        retentionInDays: args.logRetentionDays,
        tags: args.tags,
      },
      { parent: this, ...FIXED_IDENTITY },
    );

    const role = serviceRole(
      { name, parent: this, partition, tags: args.tags },
      "role",
      serviceTrustPolicy("codebuild.amazonaws.com"),
      [],
      `CodeBuild GitHub Actions runner ${args.projectName}`,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-role`,
      {
        role: role.role.id,
        policy: pulumi
          .all([region, account, partition, pulumi.output(args.privateSubnetIds), logs.arn])
          .apply(([r, a, p, subnetIds, logGroupArn]) =>
            JSON.stringify(
              codebuildRunnerPolicy({
                region: r,
                account: a,
                partition: p,
                subnetIds,
                logGroupArn,
                connectionArn: args.connectionArn,
              }),
            ),
          ),
      },
      { parent: this },
    );

    this.project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: args.projectName,
        description: `GitHub Actions runner for ${args.repository} inside the platform VPC`,
        serviceRole: role.role.arn,
        // Runner builds take their steps from the workflow; CodeBuild needs no buildspec or artifacts.
        source: {
          type: "GITHUB",
          location: args.repository,
          auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
        },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: "LINUX_CONTAINER",
          computeType: args.computeType,
          image: CI_RUNNER_IMAGE,
          imagePullCredentialsType: "CODEBUILD",
        },
        vpcConfig: {
          vpcId: args.vpcId,
          subnets: args.privateSubnetIds,
          securityGroupIds: [this.securityGroup.id],
        },
        logsConfig: { cloudwatchLogs: { groupName: logs.name, status: "ENABLED" } },
        buildTimeout: 120,
        tags: args.tags,
      },
      { parent: this, dependsOn: [policy], ...FIXED_IDENTITY },
    );

    // Only queued workflow jobs start builds; pushes and pull requests do not.
    new aws.codebuild.Webhook(
      `${name}-webhook`,
      {
        projectName: this.project.name,
        buildType: "BUILD",
        filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }],
      },
      { parent: this, ...FIXED_IDENTITY },
    );

    this.projectName = this.project.name;
    this.registerOutputs({ projectName: this.projectName });
  }
}
