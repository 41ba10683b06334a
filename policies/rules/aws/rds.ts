/** RDS PostgreSQL: encryption, not public, backups, resilience, managed password, TLS. */
import { awsCis } from "../../lib/frameworks";
import { cis, asArray, resourceRule, type Rule } from "../../lib/rule";
import { postgresLoggingProblems } from "../../lib/postgres";
import {
  RDS_CLUSTER,
  RDS_CLUSTER_INSTANCE,
  RDS_CLUSTER_PARAMETER_GROUP,
  RDS_INSTANCE,
  RDS_PARAMETER_GROUP,
} from "../types";

export const rdsRules: Rule[] = [
  resourceRule<{ requireCustomerKey: boolean }>({
    name: "aws-rds-encrypted",
    covers: [
      "CKV_AWS_16",
      "AVD-AWS-0080",
      "compliance-policies:aws-rds-cluster-configure-customer-managed-key",
      "compliance-policies:aws-rds-cluster-disallow-unencrypted-storage",
      "compliance-policies:aws-rds-instance-configure-customer-managed-key",
      "compliance-policies:aws-rds-instance-disallow-unencrypted-storage",
    ],
    description:
      "RDS and Aurora storage must be encrypted, with a customer-managed KMS key where required.",
    severity: "high",
    types: [RDS_INSTANCE, RDS_CLUSTER],
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
    covers: [
      "CKV_AWS_17",
      "AVD-AWS-0180",
      "compliance-policies:aws-rds-clusterinstance-disallow-public-access",
      "compliance-policies:aws-rds-instance-disallow-public-access",
    ],
    description: "RDS instances must not be publicly accessible.",
    severity: "critical",
    types: [RDS_INSTANCE, RDS_CLUSTER_INSTANCE],
    tags: ["aws", "rds", "network", "security"],
    framework: awsCis("2.3.3", "Ensure that public access is not given to RDS Instance"),
    remediationSteps: "Set publiclyAccessible = false and place the instance in private subnets.",
    check: (p) => (p.publiclyAccessible === true ? ["publiclyAccessible is true."] : []),
  }),
  resourceRule<{ minBackupRetentionDays: number }>({
    name: "aws-rds-backups",
    covers: [
      "CKV_AWS_133",
      "AVD-AWS-0077",
      "compliance-policies:aws-rds-cluster-configure-backup-retention",
      "compliance-policies:aws-rds-cluster-enable-backup-retention",
      "compliance-policies:aws-rds-instance-configure-backup-retention",
      "compliance-policies:aws-rds-instance-enable-backup-retention",
    ],
    description:
      "RDS must keep automated backups for at least the configured number of days (7 in dev and staging, 14 in prod: deliberately stricter than checkov and trivy, which only require backups on; minBackupRetentionDays per stack).",
    severity: "high",
    types: [RDS_INSTANCE, RDS_CLUSTER],
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
    check: (p, { config, type }) => {
      // A read replica keeps no automated backups of its own for PostgreSQL (its source does).
      if (type === RDS_INSTANCE && p.replicateSourceDb) return [];
      // Provider defaults: 0 (off) for an instance, 1 day for an Aurora cluster.
      const days = p.backupRetentionPeriod ?? (type === RDS_CLUSTER ? 1 : 0);
      if (days > 35) return [`backupRetentionPeriod ${days} is above RDS's maximum of 35 days.`];
      return days >= config.minBackupRetentionDays
        ? []
        : [`backupRetentionPeriod ${days} < ${config.minBackupRetentionDays}.`];
    },
  }),
  resourceRule<{ requireDeletionProtection: boolean; requireHighAvailability: boolean }>({
    name: "aws-rds-resilience",
    covers: [
      "CKV_AWS_293",
      "CKV_AWS_157",
      "AVD-AWS-0177",
      "compliance-policies:aws-rds-cluster-disallow-single-availability-zone",
    ],
    description:
      "RDS and Aurora must keep deletion protection and a final snapshot, and run in more than one zone where high availability is required (Multi-AZ; an Aurora cluster not pinned to one zone).",
    severity: "high",
    types: [RDS_INSTANCE, RDS_CLUSTER],
    tags: ["aws", "rds", "reliability"],
    remediationSteps:
      "Set deletionProtection = true, skipFinalSnapshot = false with finalSnapshotIdentifier, and multiAz = true in prod.",
    config: {
      requireDeletionProtection: {
        type: "boolean",
        default: true,
        description:
          "Require deletion protection and a final snapshot (the same setting as gcp-cloudsql-resilience's, so both clouds judge a stack alike).",
      },
      requireHighAvailability: {
        type: "boolean",
        default: false,
        description: "Require Multi-AZ.",
      },
    },
    check: (p, { config, type }) => {
      const out: string[] = [];
      if (config.requireDeletionProtection) {
        if (p.deletionProtection !== true) out.push("deletionProtection is not true.");
        if (p.skipFinalSnapshot !== false) out.push("skipFinalSnapshot is not false.");
      }
      // An Aurora cluster spreads its storage over three zones; pinning it to one zone is the
      // single-AZ misconfiguration (its instances then share one failure domain).
      if (config.requireHighAvailability)
        if (type === RDS_CLUSTER) {
          if (asArray(p.availabilityZones).length === 1)
            out.push("availabilityZones names a single zone.");
        } else if (p.multiAz !== true) out.push("multiAz is not true.");
      return out;
    },
  }),
  resourceRule({
    name: "aws-rds-managed-password",
    description:
      "RDS master passwords must be RDS-managed (Secrets Manager) or a generated secret of at least 16 characters.",
    severity: "high",
    types: [RDS_INSTANCE],
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
    name: "aws-rds-force-ssl",
    covers: ["CKV2_AWS_69"],
    description: "PostgreSQL parameter groups must force TLS (rds.force_ssl = 1).",
    severity: "high",
    types: [RDS_PARAMETER_GROUP],
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
  resourceRule<{ requiredParameters: string[] }>({
    name: "aws-rds-postgres-log-parameters",
    covers: ["CKV2_AWS_30"],
    description:
      "RDS and Aurora PostgreSQL parameter groups must log what Cloud SQL's flags log (gcp-cloudsql-postgres-log-flags, the same judgement): connections, disconnections, lock waits, temp files, DDL statements and errors; no statement text with durations (log_min_duration_statement -1), no per-module statistics.",
    severity: "low",
    types: [RDS_PARAMETER_GROUP, RDS_CLUSTER_PARAMETER_GROUP],
    tags: ["aws", "rds", "logging"],
    framework: cis(
      "CIS PostgreSQL",
      "1.0.0",
      "3.1.x",
      "Ensure the PostgreSQL logging parameters are set (connections, disconnections, statements)",
    ),
    remediationSteps:
      "Add parameters: '1' for each required one, log_temp_files '0', log_statement 'ddl', log_min_duration_statement '-1'; then set the group on the instance (parameterGroupName).",
    config: {
      requiredParameters: {
        type: "array",
        items: { type: "string" },
        // log_checkpoints: on by default since PostgreSQL 15, the oldest the platform runs.
        default: ["log_connections", "log_disconnections", "log_lock_waits"],
        description: "Boolean parameters that must be on ('1').",
      },
    },
    check: (p, { config }) => {
      if (!/^(aurora-)?postgres/.test(String(p.family ?? ""))) return [];
      const settings = new Map<string, string>(
        asArray<any>(p.parameters).map((x) => [String(x.name), String(x.value)]),
      );
      return postgresLoggingProblems(settings, config.requiredParameters);
    },
  }),
  resourceRule<{
    requireIamAuthentication: boolean;
    requirePerformanceInsights: boolean;
    requireEnhancedMonitoring: boolean;
  }>({
    name: "aws-rds-operations",
    covers: [
      "CKV_AWS_129",
      "CKV_AWS_226",
      "CKV_AWS_354",
      "CKV_AWS_161",
      "CKV_AWS_353",
      "CKV_AWS_211",
      "CKV_AWS_118",
      "AVD-AWS-0133",
      "AVD-AWS-0078",
      "AVD-AWS-0176",
      "compliance-policies:aws-rds-clusterinstance-disallow-unencrypted-performance-insights",
      "compliance-policies:aws-rds-clusterinstance-enable-performance-insights",
      "compliance-policies:aws-rds-instance-disallow-unencrypted-performance-insights",
      "compliance-policies:aws-rds-instance-enable-performance-insights",
    ],
    description:
      "RDS must export its logs to CloudWatch, take minor upgrades, encrypt Performance Insights with a customer key, use its own parameter group and, where required, run Performance Insights, Enhanced Monitoring and IAM database authentication.",
    severity: "medium",
    types: [RDS_INSTANCE, RDS_CLUSTER_INSTANCE],
    tags: ["aws", "rds", "operations", "security"],
    framework: cis(
      "checkov",
      "3",
      "CKV_AWS_129 / CKV_AWS_226 / CKV_AWS_354 / CKV_AWS_161",
      "RDS log exports, auto minor upgrades, Performance Insights encryption, IAM authentication",
    ),
    remediationSteps:
      "Set enabledCloudwatchLogsExports: ['postgresql', 'upgrade'], autoMinorVersionUpgrade: true, performanceInsightsKmsKeyId, parameterGroupName; iamDatabaseAuthenticationEnabled where required.",
    config: {
      requirePerformanceInsights: {
        type: "boolean",
        default: false,
        description: "Require performanceInsightsEnabled (the platform turns it on).",
      },
      requireEnhancedMonitoring: {
        type: "boolean",
        default: false,
        description:
          "Require Enhanced Monitoring (monitoringInterval > 0 with a monitoringRoleArn).",
      },
      requireIamAuthentication: {
        type: "boolean",
        default: false,
        description:
          "Require IAM database authentication. Off by default: MLflow connects with a password it reads from a Kubernetes Secret.",
      },
    },
    check: (p, { config, type }) => {
      const out: string[] = [];
      // An Aurora instance exports logs and takes its parameters through its cluster.
      const clusterMember = type === RDS_CLUSTER_INSTANCE;
      // PostgreSQL exports its log as "postgresql"; another engine must export at least one log.
      const exports = asArray<string>(p.enabledCloudwatchLogsExports);
      const postgres = p.engine === undefined || /postgres/.test(String(p.engine));
      if (!clusterMember && (postgres ? !exports.includes("postgresql") : exports.length === 0))
        out.push(
          postgres
            ? "postgresql logs are not exported to CloudWatch."
            : "no log is exported to CloudWatch.",
        );
      // The provider's default for autoMinorVersionUpgrade is true.
      if (p.autoMinorVersionUpgrade === false) out.push("autoMinorVersionUpgrade is off.");
      if (p.performanceInsightsEnabled === true && !p.performanceInsightsKmsKeyId)
        out.push("Performance Insights is encrypted with the AWS-managed key, not yours.");
      if (
        !clusterMember &&
        (!p.parameterGroupName || String(p.parameterGroupName).startsWith("default."))
      )
        out.push("the instance uses the default parameter group.");
      // The CAs RDS issues today (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html);
      // rds-ca-2019 expired in August 2024. Absent, RDS assigns its current default.
      const CURRENT_CAS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"];
      if (p.caCertIdentifier !== undefined && !CURRENT_CAS.includes(String(p.caCertIdentifier)))
        out.push(`caCertIdentifier ${p.caCertIdentifier} is not a current RDS CA.`);
      if (config.requirePerformanceInsights && p.performanceInsightsEnabled !== true)
        out.push("Performance Insights is off.");
      // Provider default monitoringInterval 0: Enhanced Monitoring off.
      if (config.requireEnhancedMonitoring && !(Number(p.monitoringInterval) > 0))
        out.push("Enhanced Monitoring is off (monitoringInterval 0).");
      if (
        !clusterMember &&
        config.requireIamAuthentication &&
        p.iamDatabaseAuthenticationEnabled !== true
      )
        out.push("IAM database authentication is off.");
      return out;
    },
  }),
];
