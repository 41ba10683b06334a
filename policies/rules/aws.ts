/** AWS rules: EKS, node groups and launch templates, RDS PostgreSQL, S3, security groups. */
import { asArray, cis, get, resourceRule, stackRule, type Rule } from "../lib/rule";

const EKS = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const RDS = "aws:rds/instance:Instance";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const VERSIONING = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
const SSE = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const RDS_PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const KMS_KEY = "aws:kms/key:Key";
const EKS_ADDON = "aws:eks/addon:Addon";
const VPC = "aws:ec2/vpc:Vpc";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SG_RULES = [
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
];

const eksCis = (reference: string, specification: string) =>
  cis("CIS Amazon EKS Benchmark", "1.5.0", reference, specification);
const awsCis = (reference: string, specification: string) =>
  cis("CIS AWS Foundations Benchmark", "3.0.0", reference, specification);

const parseDoc = (doc: unknown): any => {
  if (typeof doc !== "string") return doc ?? {};
  try {
    return JSON.parse(doc);
  } catch {
    return {};
  }
};

export const awsRules: Rule[] = [
  resourceRule<{ allowPublicEndpoint: boolean }>({
    name: "aws-eks-endpoint-restricted",
    description:
      "The EKS API endpoint must be private, or public only to listed CIDRs (never 0.0.0.0/0).",
    severity: "critical",
    types: [EKS],
    tags: ["aws", "eks", "network", "security"],
    framework: eksCis(
      "5.4.2",
      "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled",
    ),
    remediationSteps:
      "Set vpcConfig.endpointPrivateAccess = true and endpointPublicAccess = false, or publicAccessCidrs to your VPN/CI ranges.",
    config: {
      allowPublicEndpoint: {
        type: "boolean",
        default: true,
        description: "Allow a public endpoint restricted by CIDR.",
      },
    },
    check: (p, { config }) => {
      const v = p.vpcConfig ?? {};
      const out: string[] = [];
      if (v.endpointPrivateAccess !== true)
        out.push("vpcConfig.endpointPrivateAccess is not true.");
      if (v.endpointPublicAccess !== false) {
        // Provider default: public access on, from 0.0.0.0/0.
        const cidrs = asArray<string>(v.publicAccessCidrs);
        if (!config.allowPublicEndpoint) out.push("the public endpoint is on.");
        else if (cidrs.length === 0 || cidrs.some((c) => c.endsWith("/0")))
          out.push("the public endpoint admits 0.0.0.0/0.");
      }
      return out;
    },
  }),
  resourceRule({
    name: "aws-eks-secrets-encryption",
    description: "EKS must envelope-encrypt Kubernetes Secrets with a KMS key.",
    severity: "high",
    types: [EKS],
    tags: ["aws", "eks", "encryption"],
    framework: eksCis(
      "5.3.1",
      "Ensure Kubernetes Secrets are encrypted using Customer Master Keys (CMKs) managed in AWS KMS",
    ),
    remediationSteps:
      "Set encryptionConfig = { resources: ['secrets'], provider: { keyArn: <KMS key with rotation> } }.",
    check: (p) => {
      const e = p.encryptionConfig ?? {};
      return asArray(e.resources).includes("secrets") && get(e, "provider.keyArn")
        ? []
        : ["Secrets are not encrypted with a KMS key."];
    },
  }),
  resourceRule<{ requiredLogTypes: string[] }>({
    name: "aws-eks-control-plane-logs",
    description: "EKS must ship control-plane logs, including audit, to CloudWatch.",
    severity: "medium",
    types: [EKS],
    tags: ["aws", "eks", "logging"],
    framework: eksCis("2.1.1", "Enable audit Logs"),
    remediationSteps: "Set enabledClusterLogTypes to include api, audit and authenticator.",
    config: {
      requiredLogTypes: {
        type: "array",
        items: { type: "string" },
        default: ["api", "audit", "authenticator"],
        description: "Log types that must be on.",
      },
    },
    check: (p, { config }) => {
      const on = asArray<string>(p.enabledClusterLogTypes);
      const missing = config.requiredLogTypes.filter((t) => !on.includes(t));
      return missing.length ? [`control-plane log types off: ${missing.join(", ")}.`] : [];
    },
  }),
  resourceRule<{ minVersion: string }>({
    name: "aws-eks-supported-version",
    description: "EKS must run a Kubernetes version still in standard support.",
    severity: "medium",
    types: [EKS],
    tags: ["aws", "eks", "patching"],
    remediationSteps:
      "Set version to a supported minor (see the EKS version calendar) and upgrade one minor at a time.",
    config: {
      minVersion: { type: "string", default: "1.31", description: "Oldest allowed minor version." },
    },
    check: (p, { config }) => {
      if (!p.version) return [];
      const [maj, min] = String(p.version).split(".").map(Number);
      const [rmaj, rmin] = config.minVersion.split(".").map(Number);
      return maj > rmaj || (maj === rmaj && min >= rmin)
        ? []
        : [`version ${p.version} is older than ${config.minVersion}.`];
    },
  }),
  resourceRule({
    name: "aws-eks-nodegroup-no-ssh",
    description: "EKS node groups must not open SSH to the nodes.",
    severity: "high",
    types: [NODE_GROUP],
    tags: ["aws", "eks", "network", "security"],
    remediationSteps: "Remove remoteAccess; use SSM Session Manager for node access.",
    check: (p) => (p.remoteAccess ? ["remoteAccess (SSH) is configured."] : []),
  }),
  resourceRule({
    name: "aws-ec2-imdsv2-required",
    description:
      "Launch templates must require IMDSv2 with a hop limit that keeps pods off the node's credentials.",
    severity: "high",
    types: [LAUNCH_TEMPLATE],
    tags: ["aws", "ec2", "iam", "security"],
    framework: cis(
      "AWS Foundational Security Best Practices",
      "1.0.0",
      "EC2.8",
      "EC2 instances should use IMDSv2",
    ),
    remediationSteps:
      "Set metadataOptions = { httpTokens: 'required', httpPutResponseHopLimit: 1 or 2 }.",
    check: (p) => {
      const m = p.metadataOptions ?? {};
      const out: string[] = [];
      if (m.httpTokens !== "required") out.push("metadataOptions.httpTokens is not 'required'.");
      if ((m.httpPutResponseHopLimit ?? 1) > 2)
        out.push("metadataOptions.httpPutResponseHopLimit is above 2.");
      return out;
    },
  }),
  resourceRule<{ requireCustomerKey: boolean }>({
    name: "aws-rds-encrypted",
    description: "RDS storage must be encrypted, with a customer-managed KMS key where required.",
    severity: "high",
    types: [RDS],
    tags: ["aws", "rds", "encryption"],
    framework: awsCis("2.3.1", "Ensure that encryption-at-rest is enabled for RDS Instances"),
    remediationSteps: "Set storageEncrypted = true and kmsKeyId to a key with rotation.",
    config: {
      requireCustomerKey: { type: "boolean", default: true, description: "Require kmsKeyId." },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      if (p.storageEncrypted !== true) out.push("storageEncrypted is not true.");
      if (config.requireCustomerKey && !p.kmsKeyId) out.push("kmsKeyId is not set.");
      return out;
    },
  }),
  resourceRule({
    name: "aws-rds-not-public",
    description: "RDS instances must not be publicly accessible.",
    severity: "critical",
    types: [RDS],
    tags: ["aws", "rds", "network", "security"],
    framework: awsCis("2.3.3", "Ensure that public access is not given to RDS Instance"),
    remediationSteps: "Set publiclyAccessible = false and place the instance in private subnets.",
    check: (p) => (p.publiclyAccessible === true ? ["publiclyAccessible is true."] : []),
  }),
  resourceRule<{ minBackupRetentionDays: number }>({
    name: "aws-rds-backups",
    description: "RDS must keep automated backups for at least the configured number of days.",
    severity: "high",
    types: [RDS],
    tags: ["aws", "rds", "reliability", "backup"],
    remediationSteps: "Set backupRetentionPeriod to at least the threshold.",
    config: {
      minBackupRetentionDays: {
        type: "integer",
        default: 7,
        minimum: 1,
        description: "Fewest days of backups.",
      },
    },
    check: (p, { config }) => {
      const days = p.backupRetentionPeriod ?? 0; // Provider default: 0 (off) unless set.
      return days >= config.minBackupRetentionDays
        ? []
        : [`backupRetentionPeriod ${days} < ${config.minBackupRetentionDays}.`];
    },
  }),
  resourceRule<{ requireHighAvailability: boolean }>({
    name: "aws-rds-resilience",
    description:
      "RDS must keep deletion protection and a final snapshot, and run Multi-AZ where high availability is required.",
    severity: "high",
    types: [RDS],
    tags: ["aws", "rds", "reliability"],
    remediationSteps:
      "Set deletionProtection = true, skipFinalSnapshot = false with finalSnapshotIdentifier, and multiAz = true in prod.",
    config: {
      requireHighAvailability: {
        type: "boolean",
        default: false,
        description: "Require Multi-AZ, deletion protection and a final snapshot.",
      },
    },
    check: (p, { config }) => {
      if (!config.requireHighAvailability) return [];
      const out: string[] = [];
      if (p.multiAz !== true) out.push("multiAz is not true.");
      if (p.deletionProtection !== true) out.push("deletionProtection is not true.");
      if (p.skipFinalSnapshot !== false) out.push("skipFinalSnapshot is not false.");
      return out;
    },
  }),
  resourceRule({
    name: "aws-rds-managed-password",
    description:
      "RDS master passwords must be RDS-managed (Secrets Manager) or a generated secret of at least 16 characters.",
    severity: "high",
    types: [RDS],
    tags: ["aws", "rds", "secrets"],
    remediationSteps:
      "Set manageMasterUserPassword = true, or pass a random.RandomPassword result of length >= 16.",
    check: (p) => {
      if (p.manageMasterUserPassword === true) return [];
      const pw = p.password;
      return typeof pw === "string" && pw.length >= 16
        ? []
        : ["the master password is neither RDS-managed nor a 16+ character secret."];
    },
  }),
  resourceRule({
    name: "aws-s3-public-access-block",
    description: "Every S3 bucket's public access block must set all four flags.",
    severity: "critical",
    types: [PAB],
    tags: ["aws", "s3", "security"],
    framework: awsCis(
      "2.1.4",
      "Ensure that S3 Buckets are configured with 'Block public access (bucket settings)'",
    ),
    remediationSteps:
      "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
    check: (p) => {
      const flags = [
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
      ].filter((f) => p[f] !== true);
      return flags.length ? [`not set: ${flags.join(", ")}.`] : [];
    },
  }),
  resourceRule({
    name: "aws-s3-ownership-enforced",
    description: "S3 buckets must disable ACLs (object ownership BucketOwnerEnforced).",
    severity: "medium",
    types: [OWNERSHIP],
    tags: ["aws", "s3", "iam"],
    remediationSteps: "Set rule.objectOwnership = 'BucketOwnerEnforced'.",
    check: (p) =>
      get(p, "rule.objectOwnership") === "BucketOwnerEnforced"
        ? []
        : [`objectOwnership is ${get(p, "rule.objectOwnership")}.`],
  }),
  resourceRule({
    name: "aws-s3-versioning",
    description: "S3 buckets holding artifacts must be versioned.",
    severity: "medium",
    types: VERSIONING,
    tags: ["aws", "s3", "reliability"],
    remediationSteps:
      "Set versioningConfiguration.status = 'Enabled' and expire old noncurrent versions by lifecycle.",
    check: (p) =>
      get(p, "versioningConfiguration.status") === "Enabled" ? [] : ["versioning is not Enabled."],
  }),
  resourceRule({
    name: "aws-s3-sse-kms",
    description: "S3 buckets must default to SSE-KMS with a bucket key.",
    severity: "medium",
    types: SSE,
    tags: ["aws", "s3", "encryption"],
    remediationSteps:
      "Set rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = 'aws:kms' with kmsMasterKeyId, and bucketKeyEnabled = true.",
    check: (p) => {
      const rules = asArray<any>(p.rules);
      const ok = rules.some(
        (r) =>
          get(r, "applyServerSideEncryptionByDefault.sseAlgorithm") === "aws:kms" &&
          r.bucketKeyEnabled === true,
      );
      return ok ? [] : ["no SSE-KMS default with bucket key."];
    },
  }),
  resourceRule({
    name: "aws-s3-tls-only",
    description: "S3 bucket policies must deny requests that do not use TLS.",
    severity: "high",
    types: [BUCKET_POLICY],
    tags: ["aws", "s3", "encryption"],
    framework: awsCis("2.1.1", "Ensure S3 Bucket Policy is set to deny HTTP requests"),
    remediationSteps:
      "Add a Deny statement for s3:* on the bucket and its objects with Condition Bool aws:SecureTransport = false.",
    check: (p) => {
      const doc = parseDoc(p.policy);
      const denies = asArray<any>(doc.Statement).some(
        (s) =>
          s.Effect === "Deny" && String(get(s, "Condition.Bool.aws:SecureTransport")) === "false",
      );
      return denies ? [] : ["no Deny statement on aws:SecureTransport = false."];
    },
  }),
  resourceRule({
    name: "aws-ec2-no-ssh-from-anywhere",
    description: "Security groups must not admit SSH (22) from 0.0.0.0/0 or ::/0.",
    severity: "critical",
    types: [SG, ...SG_RULES],
    tags: ["aws", "ec2", "network", "security"],
    framework: awsCis(
      "5.2",
      "Ensure no security groups allow ingress from 0.0.0.0/0 to remote server administration ports",
    ),
    remediationSteps: "Remove the rule; use SSM Session Manager.",
    check: (p, ctx) => {
      const rules: any[] = ctx.type === SG ? asArray(p.ingress) : p.type === "egress" ? [] : [p];
      const open = rules.filter((r) => {
        const from = r.fromPort ?? r.from_port ?? 0;
        const to = r.toPort ?? r.to_port ?? 65535;
        const cidrs = [
          ...asArray<string>(r.cidrBlocks),
          ...asArray<string>(r.ipv6CidrBlocks),
          r.cidrIpv4,
          r.cidrIpv6,
        ].filter(Boolean);
        return (
          from <= 22 && to >= 22 && cidrs.some((c: string) => c === "0.0.0.0/0" || c === "::/0")
        );
      });
      return open.length ? ["SSH is open to the internet."] : [];
    },
  }),
  resourceRule({
    name: "aws-rds-force-ssl",
    description: "PostgreSQL parameter groups must force TLS (rds.force_ssl = 1).",
    severity: "high",
    types: [RDS_PARAMS],
    tags: ["aws", "rds", "encryption"],
    framework: cis(
      "AWS Foundational Security Best Practices",
      "1.0.0",
      "RDS.24",
      "Connections to RDS for PostgreSQL should be encrypted in transit",
    ),
    remediationSteps:
      "Add { name: 'rds.force_ssl', value: '1' } to the parameter group's parameters (and use the group on the instance).",
    check: (p) => {
      if (!String(p.family ?? "").startsWith("postgres")) return [];
      const force = asArray<any>(p.parameters).find((x) => x.name === "rds.force_ssl");
      return String(force?.value) === "1" ? [] : ["rds.force_ssl is not set to 1."];
    },
  }),
  resourceRule({
    name: "aws-kms-key-rotation",
    description: "Customer-managed KMS keys must rotate automatically.",
    severity: "medium",
    types: [KMS_KEY],
    tags: ["aws", "kms", "encryption"],
    framework: awsCis("3.6", "Ensure rotation for customer-created symmetric CMKs is enabled"),
    remediationSteps: "Set enableKeyRotation = true.",
    check: (p) => {
      const symmetric =
        (p.customerMasterKeySpec ?? p.keySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
      return symmetric && p.enableKeyRotation !== true ? ["enableKeyRotation is not true."] : [];
    },
  }),
  resourceRule({
    name: "aws-eks-addon-pinned",
    description:
      "EKS managed add-ons must be pinned to an exact version, so upgrades happen in reviewed changes.",
    severity: "medium",
    types: [EKS_ADDON],
    tags: ["aws", "eks", "supply-chain"],
    remediationSteps:
      "Set addonVersion (e.g. v1.20.1-eksbuild.3; list with `aws eks describe-addon-versions`).",
    check: (p) =>
      /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(String(p.addonVersion ?? ""))
        ? []
        : [`add-on ${p.addonName} has no exact addonVersion.`],
  }),
  stackRule<{ requireFlowLogs: boolean }>({
    name: "aws-vpc-flow-logs",
    description: "Where required (prod), every VPC must have flow logs.",
    severity: "medium",
    types: [VPC, FLOW_LOG],
    tags: ["aws", "network", "logging"],
    framework: awsCis("3.7", "Ensure VPC flow logging is enabled in all VPCs"),
    remediationSteps:
      "Create an aws.ec2.FlowLog for the VPC (the platform does it when the environment is prod).",
    config: {
      requireFlowLogs: {
        type: "boolean",
        default: false,
        description: "Require a flow log on every VPC.",
      },
    },
    check: (resources, config) => {
      if (!config.requireFlowLogs) return [];
      // The flow log's vpcId comes from the VPC resource, so it is a property dependency on it.
      const logged = new Set(
        resources
          .filter((r) => r.type === FLOW_LOG)
          .flatMap((r) => (r.propertyDependencies?.vpcId ?? []).map((d) => d.urn)),
      );
      return resources
        .filter((r) => r.type === VPC && !logged.has(r.urn))
        .map((r) => ({ message: `VPC ${r.name} has no flow log.`, urn: r.urn }));
    },
  }),
];
