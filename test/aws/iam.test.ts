/**
 * What the MLflow role can and cannot do, evaluated by an IAM policy simulator
 * (@cloud-copilot/iam-simulate: identity policy, bucket policy and conditions
 * as AWS evaluates them) on the documents the platform generates, instead of
 * asserting their JSON.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import {
  clusterAutoscalerPolicy,
  irsaTrustPolicy,
  mlflowArtifactPolicy,
  tlsOnlyBucketPolicy,
} from "../../components/aws/iamDocuments";
import { ACCOUNT, simulate } from "../helpers/iamSimulate";

const BUCKET = "arn:aws:s3:::mlops-prod-mlflow-artifacts";
const OTHER = "arn:aws:s3:::someone-elses-bucket";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/mlops-prod-mlflow`;
// The key is created without a policy, so AWS attaches its default key policy,
// which delegates to the account's IAM policies (AWS KMS docs, "Default key policy").
const DEFAULT_KEY_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Enable IAM User Permissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
};
const identity = [
  { name: "mlflow-artifacts", policy: mlflowArtifactPolicy(BUCKET, KEY, "us-east-1") },
];

const decide = (
  action: string,
  resource: string,
  context: Record<string, string> = {},
  resourcePolicy?: object,
) => simulate({ principal: ROLE, identity, action, resource, context, resourcePolicy });

describe("the MLflow role on its artifact bucket (IAM simulation)", () => {
  it.each([
    ["s3:ListBucket", BUCKET],
    ["s3:GetObject", `${BUCKET}/mlflow/1/model.pkl`],
    ["s3:PutObject", `${BUCKET}/mlflow/1/model.pkl`],
    ["s3:DeleteObject", `${BUCKET}/mlflow/1/model.pkl`],
    ["s3:AbortMultipartUpload", `${BUCKET}/mlflow/1/model.pkl`],
    ["s3:ListMultipartUploadParts", `${BUCKET}/mlflow/1/model.pkl`],
  ])("may %s on %s", async (action, resource) => {
    expect(await decide(action, resource, {}, tlsOnlyBucketPolicy(BUCKET))).toBe("Allowed");
  });

  it.each([
    ["s3:GetObject", `${OTHER}/secrets.txt`],
    ["s3:ListBucket", OTHER],
    ["s3:DeleteBucket", BUCKET],
    ["s3:PutBucketPolicy", BUCKET],
    ["s3:PutBucketVersioning", BUCKET],
  ])("may not %s on %s", async (action, resource) => {
    expect(await decide(action, resource)).not.toBe("Allowed");
  });

  it("the bucket policy refuses plain HTTP even to the role", async () => {
    expect(
      await decide(
        "s3:GetObject",
        `${BUCKET}/mlflow/1/model.pkl`,
        { "aws:SecureTransport": "false" },
        tlsOnlyBucketPolicy(BUCKET),
      ),
    ).not.toBe("Allowed");
  });

  it("uses the bucket's KMS key only through S3 in its region", async () => {
    const viaS3 = { "kms:ViaService": "s3.us-east-1.amazonaws.com" };
    expect(await decide("kms:GenerateDataKey", KEY, viaS3, DEFAULT_KEY_POLICY)).toBe("Allowed");
    expect(await decide("kms:Decrypt", KEY, viaS3, DEFAULT_KEY_POLICY)).toBe("Allowed");
    // Without a key policy delegating to the account, IAM alone grants nothing.
    expect(await decide("kms:Decrypt", KEY, viaS3)).not.toBe("Allowed");
    expect(await decide("kms:Decrypt", KEY, {}, DEFAULT_KEY_POLICY)).not.toBe("Allowed");
    expect(
      await decide(
        "kms:Decrypt",
        KEY,
        { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        DEFAULT_KEY_POLICY,
      ),
    ).not.toBe("Allowed");
    expect(await decide("kms:ScheduleKeyDeletion", KEY, viaS3, DEFAULT_KEY_POLICY)).not.toBe(
      "Allowed",
    );
  });
});

describe("documents the simulator can read", () => {
  it("the trust and autoscaler policies are valid IAM documents (the simulator validates them)", async () => {
    const trust = irsaTrustPolicy(
      `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC`,
      "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
      "mlflow",
      "mlflow",
    );
    const res = await runSimulation(
      {
        request: {
          principal: ROLE,
          action: "autoscaling:SetDesiredCapacity",
          resource: {
            resource: `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:uuid:autoScalingGroupName/eks-gpu`,
            accountId: ACCOUNT,
          },
          contextVariables: { "aws:ResourceTag/k8s.io/cluster-autoscaler/mlops-prod": "owned" },
        },
        identityPolicies: [{ name: "ca", policy: clusterAutoscalerPolicy("mlops-prod") }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      } as never,
      {},
    );
    expect(res.resultType, JSON.stringify(res)).not.toBe("error");
    expect((res as { overallResult: string }).overallResult).toBe("Allowed");
    expect(trust.Statement[0]).toBeDefined();
  });
});
