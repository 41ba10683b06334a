/**
 * The in-VPC CI runner (cluster.ciRunner, AWS): what the stack creates under mocks, what
 * its role may do (IAM simulation), and the config's messages.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { codebuildRunnerPolicy } from "../../components/aws/iamDocuments";
import { CI_RUNNER_IMAGE, codebuildRunnerProblems } from "../../components/aws/ciRunner";
import { stackFileConfig } from "../../scripts/lib/mocks";
import { ACCOUNT, simulate } from "../helpers/iamSimulate";
import { runStack, type StackRun } from "../helpers/stack";
import { ConfigError, parseStackConfig } from "../../stacks/config";

const CONNECTION = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const RUNNER = { repository: "https://github.com/acme/mlops-platform", connectionArn: CONNECTION };
const AWS = { "mlops-platform:cloud": "aws", "aws:region": "us-east-1" };
const cluster = (extra: object) => ({
  ...JSON.parse(stackFileConfig("dev")["mlops-platform:cluster"]),
  ...extra,
});

describe("a stack with cluster.ciRunner", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack("dev", {
      ...AWS,
      "mlops-platform:cluster": cluster({ ciRunner: RUNNER }),
    });
  }, 60_000);

  it("runs a CodeBuild project in the private subnets, started only by queued workflow jobs", async () => {
    const project = run.one("aws:codebuild/project:Project");
    const subnets = run.ofType("aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private"));
    expect(project.inputs).toMatchObject({
      name: "mlops-dev-ci-runner",
      source: {
        type: "GITHUB",
        location: RUNNER.repository,
        auth: { type: "CODECONNECTIONS", resource: CONNECTION },
      },
      environment: { computeType: "BUILD_GENERAL1_MEDIUM", image: CI_RUNNER_IMAGE },
    });
    expect(project.inputs.vpcConfig.subnets.sort()).toEqual(subnets.map((s) => s.id).sort());
    const hook = run.one("aws:codebuild/webhook:Webhook");
    expect(hook.inputs.filterGroups).toEqual([
      { filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] },
    ]);
    expect(run.exports.ciRunnerProject).toEqual({ value: "mlops-dev-ci-runner", secret: false });
  });

  it("its security group sends HTTPS only, and the cluster security group lets it reach the API", () => {
    const project = run.one("aws:codebuild/project:Project");
    const sg = run
      .ofType("aws:ec2/securityGroup:SecurityGroup")
      .find((g) => g.name.includes("ci-runner"))!;
    expect(project.inputs.vpcConfig.securityGroupIds).toEqual([sg.id]);
    expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(sg.inputs.egress).toEqual([
      expect.objectContaining({ protocol: "tcp", fromPort: 443, toPort: 443 }),
    ]);
    const rule = run
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .find((r) => r.name.includes("ci-runner"))!;
    expect(rule.inputs).toMatchObject({
      securityGroupId: "sg-cluster", // the EKS cluster security group (mock)
      referencedSecurityGroupId: sg.id,
      fromPort: 443,
      toPort: 443,
    });
  });

  it("without the key, no runner exists", async () => {
    const plain = await runStack("dev", AWS);
    expect(plain.ofType("aws:codebuild/project:Project")).toEqual([]);
    expect(plain.exports.ciRunnerProject).toBeUndefined();
  });
});

describe("what the runner's role may do (IAM simulation)", () => {
  const SUBNETS = ["subnet-aaa", "subnet-bbb"];
  const LOGS = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/mlops-dev-ci-runner`;
  const identity = [
    {
      name: "runner",
      policy: codebuildRunnerPolicy({
        region: "us-east-1",
        account: ACCOUNT,
        partition: "aws",
        subnetIds: SUBNETS,
        logGroupArn: LOGS,
        connectionArn: CONNECTION,
      }),
    },
  ];
  const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate({
      principal: `arn:aws:iam::${ACCOUNT}:role/mlops-dev-ci-runner-role`,
      identity,
      action,
      resource,
      context,
    });
  const ENI = `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-1`;
  const subnet = (id: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${id}`;

  it("attaches interfaces for CodeBuild in the runner's subnets only", async () => {
    const codebuild = { "ec2:AuthorizedService": "codebuild.amazonaws.com" };
    expect(
      await decide("ec2:CreateNetworkInterfacePermission", ENI, {
        ...codebuild,
        "ec2:Subnet": subnet("subnet-aaa"),
      }),
    ).toBe("Allowed");
    expect(
      await decide("ec2:CreateNetworkInterfacePermission", ENI, {
        ...codebuild,
        "ec2:Subnet": subnet("subnet-zzz"),
      }),
    ).not.toBe("Allowed");
    expect(
      await decide("ec2:CreateNetworkInterfacePermission", ENI, {
        "ec2:AuthorizedService": "lambda.amazonaws.com",
        "ec2:Subnet": subnet("subnet-aaa"),
      }),
    ).not.toBe("Allowed");
  });

  it("uses its one GitHub connection and writes its own logs", async () => {
    expect(await decide("codeconnections:UseConnection", CONNECTION)).toBe("Allowed");
    expect(
      await decide("codeconnections:UseConnection", CONNECTION.replace("0a1b2c3d", "99999999")),
    ).not.toBe("Allowed");
    expect(await decide("logs:PutLogEvents", `${LOGS}:log-stream:build-1`)).toBe("Allowed");
    expect(
      await decide(
        "logs:PutLogEvents",
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/eks/mlops-dev/cluster:log-stream:x`,
      ),
    ).not.toBe("Allowed");
  });

  it("cannot touch the platform itself: deploying takes the deploy role through GitHub OIDC", async () => {
    for (const [action, resource] of [
      ["eks:DescribeCluster", `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/mlops-dev`],
      ["s3:GetObject", "arn:aws:s3:::mlops-dev-artifacts/x"],
      ["iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/anything`],
      ["sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/github-deploy`],
    ])
      expect(await decide(action, resource), action).not.toBe("Allowed");
  });
});

describe("config and args", () => {
  it("a bad repository or connection is named by key, with the fix", () => {
    let p: unknown;
    try {
      parseStackConfig({
        stack: "dev",
        values: {
          cloud: "aws",
          cluster: {
            authorizedNetworks: [{ name: "vpn", cidr: "198.51.100.0/24" }],
            ciRunner: {
              repository: "git@github.com:acme/x.git",
              connectionArn: "arn:aws:iam::1:role/x",
            },
          },
        },
        aws: { region: "us-east-1" },
        allowPlaceholders: true,
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      p = (e as ConfigError).problems;
    }
    expect(p).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: "mlops-platform:cluster.ciRunner.repository",
          reason: expect.stringMatching(/write https:\/\/github.com\/<owner>\/<repo>/),
        }),
        expect.objectContaining({
          key: "mlops-platform:cluster.ciRunner.connectionArn",
          reason: expect.stringMatching(/is not a CodeConnections ARN/),
        }),
      ]),
    );
  });
  it("the component refuses the same args before creating anything", () => {
    expect(
      codebuildRunnerProblems({
        ...RUNNER,
        repository: "github.com/acme/x",
        computeType: "BUILD_GENERAL1_MEDIUM",
      }),
    ).toEqual([
      { propertyPath: "repository", reason: expect.stringMatching(/not a GitHub repository URL/) },
    ]);
    expect(codebuildRunnerProblems({ ...RUNNER, computeType: "BUILD_GENERAL1_MEDIUM" })).toEqual(
      [],
    );
  });
});
