/** CloudWatch log groups and the CodeBuild CI runner. */
import { resourceRule, type Rule, get, asArray } from "../../lib/rule";
import { CODEBUILD_PROJECT, LOG_GROUP } from "../types";

export const logsRules: Rule[] = [
  resourceRule<{ requireCustomerKey: boolean }>({
    name: "aws-cloudwatch-log-group",
    covers: ["CKV_AWS_66", "CKV_AWS_158", "AVD-AWS-0017"],
    description:
      "CloudWatch log groups must set a retention (the default keeps logs forever), and be encrypted with a customer-managed KMS key where the stack requires it.",
    severity: "low",
    types: [LOG_GROUP],
    tags: ["aws", "logging", "cost", "encryption"],
    remediationSteps:
      "Set retentionInDays (cluster.logRetentionDays); set kmsKeyId to a KMS key whose policy admits logs.<region>.amazonaws.com where required.",
    config: {
      requireCustomerKey: {
        type: "boolean",
        default: false,
        description:
          "Require kmsKeyId (CloudWatch Logs encrypts every group at rest with its own key otherwise).",
      },
    },
    check: (p, { config }) => [
      // The provider's default (0 / absent) is "never expire".
      ...(!p.retentionInDays ? ["retentionInDays is not set: the logs never expire."] : []),
      ...(config.requireCustomerKey && !p.kmsKeyId
        ? ["kmsKeyId is not set (the service-owned key encrypts the group)."]
        : []),
    ],
  }),
  resourceRule<{ requireCustomerKey: boolean }>({
    name: "aws-codebuild-project-hardened",
    covers: [
      "CKV_AWS_316",
      "CKV_AWS_78",
      "AVD-AWS-0018",
      "CKV_AWS_147",
      "CKV_AWS_311",
      "CKV_AWS_314",
    ],
    description:
      "CodeBuild projects (the in-VPC CI runner) must not run privileged (Docker-in-Docker gives the build root on the host), must name where their logs go (a log group with retention, or S3 logs kept encrypted), keep artifact encryption on, and use a customer-managed key where the stack requires it.",
    severity: "high",
    types: [CODEBUILD_PROJECT],
    tags: ["aws", "codebuild", "ci", "security"],
    remediationSteps:
      "Leave environment.privilegedMode unset, set logsConfig.cloudwatchLogs (groupName of a log group with retention, status ENABLED) or S3 logs, never set artifacts.encryptionDisabled or logsConfig.s3Logs.encryptionDisabled; set encryptionKey where required.",
    config: {
      requireCustomerKey: {
        type: "boolean",
        default: false,
        description: "Require encryptionKey (a customer-managed KMS key for build outputs).",
      },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      if (get(p, "environment.privilegedMode") === true)
        out.push("environment.privilegedMode is true.");
      // Without logsConfig CodeBuild writes to /aws/codebuild/<project>, a group it creates with
      // no retention and no KMS key (checkov CKV_AWS_314 asks for the block).
      if (!get(p, "logsConfig.cloudwatchLogs") && !get(p, "logsConfig.s3Logs"))
        out.push(
          "logsConfig is not set: logs go to a log group CodeBuild creates, kept forever and unencrypted by your key.",
        );
      else if (
        get(p, "logsConfig.cloudwatchLogs.status") === "DISABLED" &&
        get(p, "logsConfig.s3Logs.status") !== "ENABLED"
      )
        out.push("build logs are switched off (CloudWatch DISABLED, no S3 logs).");
      if (get(p, "logsConfig.s3Logs.encryptionDisabled") === true)
        out.push("logsConfig.s3Logs.encryptionDisabled is true: build logs land unencrypted.");
      for (const a of [p.artifacts, ...asArray<any>(p.secondaryArtifacts)])
        if (a?.encryptionDisabled === true) out.push("artifact encryption is disabled.");
      if (config.requireCustomerKey && !p.encryptionKey)
        out.push("encryptionKey is not set (the AWS-managed key encrypts build outputs).");
      return out;
    },
  }),
];
