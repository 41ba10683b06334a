/**
 * IAM policy documents the AWS components use, as pure functions of ARNs and
 * names, so tests can read exactly what each identity may do.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement,
});

/** Trust policy letting an AWS service (e.g. `eks.amazonaws.com`) assume a role. */
export function serviceTrustPolicy(service: string): PolicyDocument {
  return doc({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
}

/**
 * IRSA trust policy: only the Kubernetes service account `namespace/name` of
 * this cluster (its OIDC issuer), with audience STS, may assume the role.
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  issuerUrl: string,
  namespace: string,
  serviceAccount: string,
): PolicyDocument {
  const issuer = issuerUrl.replace(/^https:\/\//, "");
  return doc({
    Effect: "Allow",
    Principal: { Federated: oidcProviderArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
        [`${issuer}:aud`]: "sts.amazonaws.com",
      },
    },
  });
}

/**
 * What MLflow may do: list its bucket, read/write/delete its objects, and use
 * the bucket's KMS key only through S3 (SSE-KMS needs GenerateDataKey to write
 * and Decrypt to read). Nothing else.
 */
export function mlflowArtifactPolicy(
  bucketArn: string,
  kmsKeyArn: string,
  region: string,
): PolicyDocument {
  return doc(
    { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
    {
      Sid: "ObjectReadWrite",
      Effect: "Allow",
      // Multipart actions: boto3 uploads large artifacts in parts and aborts failed ones.
      Action: [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
      Resource: `${bucketArn}/*`,
    },
    {
      Sid: "BucketKeyViaS3",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    },
  );
}

/** Bucket policy denying every request that does not use TLS (CIS AWS 2.1.1). */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return doc({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
}

/**
 * cluster-autoscaler: read anything it needs to plan, but change only the
 * Auto Scaling groups tagged as owned by this cluster.
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
  return doc(
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      Resource: "*",
    },
    {
      Sid: "ScaleOwnedGroups",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: "*",
      Condition: {
        StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" },
      },
    },
  );
}

/**
 * The CodeBuild project that hosts the in-VPC GitHub Actions runner: put its network
 * interfaces in the given subnets only, write its own build logs, and use the one
 * GitHub connection. Nothing else: the workflow assumes the deploy or preview role
 * through GitHub OIDC, as on a hosted runner.
 * docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html
 * ("Allow CodeBuild access to AWS services required to create a VPC network interface").
 */
export function codebuildRunnerPolicy(args: {
  region: string;
  account: string;
  partition: string;
  subnetIds: string[];
  logGroupArn: string;
  connectionArn: string;
}): PolicyDocument {
  const { region, account, partition } = args;
  // Connections made before the rename are codestar-connections ARNs; IAM checks that prefix.
  const service = args.connectionArn.split(":")[2] ?? "codeconnections";
  return doc(
    {
      Sid: "VpcNetworkInterfaces",
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ],
      Resource: "*",
    },
    {
      Sid: "InterfacesInRunnerSubnetsOnly",
      Effect: "Allow",
      Action: "ec2:CreateNetworkInterfacePermission",
      Resource: `arn:${partition}:ec2:${region}:${account}:network-interface/*`,
      Condition: {
        StringEquals: {
          "ec2:Subnet": args.subnetIds.map(
            (s) => `arn:${partition}:ec2:${region}:${account}:subnet/${s}`,
          ),
          "ec2:AuthorizedService": "codebuild.amazonaws.com",
        },
      },
    },
    {
      Sid: "OwnBuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${args.logGroupArn}:*`,
    },
    {
      Sid: "GitHubConnection",
      Effect: "Allow",
      Action: [
        `${service}:GetConnection`,
        `${service}:GetConnectionToken`,
        `${service}:UseConnection`,
      ],
      Resource: args.connectionArn,
    },
  );
}
