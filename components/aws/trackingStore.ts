import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { irsaTrustPolicy, mlflowArtifactPolicy, tlsOnlyBucketPolicy } from "./iamDocuments";
import { MLFLOW_NAMESPACE, MLFLOW_SERVICE_ACCOUNT, type TrackingStoreOutputs } from "../contracts";
import {
  regionRequired,
  trackingSettingsProblems,
  validateArgs,
  type ArgProblem,
} from "../lib/validation";
import type { ArtifactSettings, DatabaseSettings } from "../model";
import { FIXED_IDENTITY } from "../lib/replacement";

/** Cloud-neutral DB size -> RDS instance class (Graviton; Performance Insights needs medium or larger). */
export const RDS_INSTANCE_CLASSES: Record<DatabaseSettings["size"], string> = {
  small: "db.t4g.medium",
  medium: "db.m7g.large",
  large: "db.m7g.xlarge",
  xlarge: "db.m7g.2xlarge",
};

/** RDS keeps automated backups for at most this many days (BackupRetentionPeriod 0-35). */
export const RDS_MAX_BACKUP_DAYS = 35;
/** Our floor: fewer days of backups is not enough to recover from a bad migration. */
export const RDS_MIN_BACKUP_DAYS = 7;
/** Smallest gp3 volume RDS PostgreSQL allocates. */
export const RDS_MIN_DISK_GB = 20;

/**
 * PostgreSQL parameters: TLS required for every connection, and the audit
 * logging Cloud SQL gets from its flags (connections, disconnections, lock waits, temp files,
 * DDL, errors; no statement text with durations). Booleans are '1': RDS refuses 'on'.
 */
export const RDS_POSTGRES_PARAMETERS: Record<string, string> = {
  "rds.force_ssl": "1",
  log_connections: "1",
  log_disconnections: "1",
  log_lock_waits: "1",
  log_min_error_statement: "error",
  log_temp_files: "0",
  log_statement: "ddl",
  log_min_duration_statement: "-1",
};

export interface AwsTrackingStoreArgs {
  /** Region of the database and the bucket (scopes the KMS condition to S3 in this region). */
  region: string;
  /** VPC of the database's security group. */
  vpcId: pulumi.Input<string>;
  /** Private subnets (two zones at least) for the DB subnet group. */
  privateSubnetIds: pulumi.Input<string>[];
  /** The nodes' security group; PostgreSQL is admitted from it and nothing else. */
  nodeSecurityGroupId: pulumi.Input<string>;
  /** Database settings (cloud-neutral). `pitrRetentionDays` does not apply: RDS restores to any second inside the backup window. */
  database: DatabaseSettings;
  /** Artifact bucket settings (cloud-neutral). */
  artifacts: ArtifactSettings;
  /** Prefix of names that must be chosen (final snapshot, KMS aliases), e.g. `mlops-prod`. */
  namePrefix: string;
  /** Tags on every resource. */
  tags: Record<string, string>;
  /** The cluster's IAM OIDC provider ARN and issuer URL (IRSA). Only the MLflow role waits for them. */
  oidcProviderArn: pulumi.Input<string>;
  oidcIssuerUrl: pulumi.Input<string>;
  /** Kubernetes namespace/name of the MLflow service account. Defaults to `mlflow/mlflow`. */
  kubernetesServiceAccount?: { namespace: string; name: string };
  /** Pulumi `protect` on the instance, the bucket and the KMS keys. Defaults to false. */
  protect?: boolean;
}

/** The args that come from config (everything but other components' outputs); what validation reads. */
export type AwsTrackingStoreSettings = Omit<
  AwsTrackingStoreArgs,
  "vpcId" | "privateSubnetIds" | "nodeSecurityGroupId" | "oidcProviderArn" | "oidcIssuerUrl"
> &
  Partial<Pick<AwsTrackingStoreArgs, "privateSubnetIds">>;

export function awsTrackingStoreProblems(args: AwsTrackingStoreSettings): ArgProblem[] {
  const problems: ArgProblem[] = trackingSettingsProblems(args.database, args.artifacts);
  const db = args.database;
  if (!args.region) problems.push(regionRequired("aws", "us-east-1"));
  if (db.backupRetentionDays < RDS_MIN_BACKUP_DAYS || db.backupRetentionDays > RDS_MAX_BACKUP_DAYS)
    problems.push({
      propertyPath: "database.backupRetentionDays",
      reason: `(${db.backupRetentionDays}) must be between ${RDS_MIN_BACKUP_DAYS} and ${RDS_MAX_BACKUP_DAYS} on RDS (${RDS_MAX_BACKUP_DAYS} is its limit; fewer than ${RDS_MIN_BACKUP_DAYS} is not enough to recover from a bad migration).`,
    });
  if (db.diskSizeGb < RDS_MIN_DISK_GB)
    problems.push({
      propertyPath: "database.diskSizeGb",
      reason: `(${db.diskSizeGb}) must be at least ${RDS_MIN_DISK_GB} on RDS gp3.`,
    });
  if (args.privateSubnetIds && args.privateSubnetIds.length < 2)
    problems.push({
      propertyPath: "privateSubnetIds",
      reason: "a DB subnet group needs subnets in two zones.",
    });
  if (!/^[a-z][-a-z0-9]{0,30}$/.test(args.namePrefix))
    problems.push({
      propertyPath: "namePrefix",
      reason: `"${args.namePrefix}" must be a lowercase label of at most 31 characters.`,
    });
  return problems;
}

/** The RDS instance's settings that decide its safety. Pure; exported for tests. */
export function rdsInstanceSettings(db: DatabaseSettings, opts: { namePrefix: string }) {
  return {
    engine: "postgres",
    // Major only: RDS picks the current minor and applies minor upgrades in the maintenance window.
    engineVersion: String(db.postgresVersion),
    autoMinorVersionUpgrade: true,
    // A major version is a reviewed config change: RDS refuses it unless allowed (RDS
    // ModifyDBInstance AllowMajorVersionUpgrade); the new family's parameter group comes with it.
    allowMajorVersionUpgrade: true,
    // Otherwise changes wait for the maintenance window (RDS ModifyDBInstance ApplyImmediately).
    applyImmediately: db.applyImmediately,
    instanceClass: RDS_INSTANCE_CLASSES[db.size],
    storageType: "gp3",
    allocatedStorage: db.diskSizeGb,
    // Storage autoscaling up to 4x, like Cloud SQL's disk autoresize.
    maxAllocatedStorage: Math.min(db.diskSizeGb * 4, 65536),
    storageEncrypted: true,
    publiclyAccessible: false,
    multiAz: db.highAvailability,
    backupRetentionPeriod: db.backupRetentionDays,
    backupWindow: "02:00-03:00",
    maintenanceWindow: "sun:03:30-sun:04:30",
    copyTagsToSnapshot: true,
    deletionProtection: db.deletionProtection,
    skipFinalSnapshot: !db.finalSnapshot,
    ...(db.finalSnapshot
      ? { finalSnapshotIdentifier: `${opts.namePrefix}-mlflow-final-snapshot` }
      : {}),
    performanceInsightsEnabled: true,
    performanceInsightsRetentionPeriod: 7,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    caCertIdentifier: "rds-ca-rsa2048-g1",
  };
}

/** Lifecycle rules: keep the newest `keepVersions` noncurrent versions (the same N as GCS), clean up leftovers. Pure. */
export function s3LifecycleRules(keepVersions: number) {
  return [
    {
      id: "keep-newest-noncurrent-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { newerNoncurrentVersions: keepVersions, noncurrentDays: 1 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
    {
      id: "remove-expired-delete-markers",
      status: "Enabled",
      filter: {},
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

/**
 * MLflow's backing store on AWS: RDS for PostgreSQL in private subnets
 * (admits 5432 from the nodes only, TLS forced by parameter group, storage and
 * Performance Insights encrypted with a rotating KMS key, backups, Multi-AZ,
 * deletion protection and a final snapshot where asked), a versioned S3 bucket
 * for artifacts (all public access blocked, ACLs off, SSE-KMS with a bucket
 * key, TLS-only policy, keep-N lifecycle), and an IAM role for the MLflow
 * Kubernetes service account (IRSA) that can use that bucket only.
 * Exposes {@link TrackingStoreOutputs}.
 */
export class AwsTrackingStore extends pulumi.ComponentResource implements TrackingStoreOutputs {
  public readonly databaseKey: aws.kms.Key;
  public readonly artifactsKey: aws.kms.Key;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  public readonly parameterGroup: aws.rds.ParameterGroup;
  public readonly instance: aws.rds.Instance;
  public readonly bucket: aws.s3.Bucket;
  public readonly role: aws.iam.Role;
  public readonly dbHost: pulumi.Output<string>;
  public readonly dbPort = 5432;
  public readonly dbName: pulumi.Output<string>;
  public readonly dbUser: pulumi.Output<string>;
  public readonly dbPassword: pulumi.Output<string>;
  public readonly artifactRoot: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  public readonly connectionName: pulumi.Output<string>;
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AwsTrackingStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:tracking:AwsTrackingStore", name, {}, opts);
    validateArgs("mlops:tracking:AwsTrackingStore", name, awsTrackingStoreProblems(args));
    const protect = args.protect ?? false;
    const ksa = args.kubernetesServiceAccount ?? {
      namespace: MLFLOW_NAMESPACE,
      name: MLFLOW_SERVICE_ACCOUNT,
    };
    // A key that encrypts something a destroy leaves behind (the final snapshot, a bucket that
    // is not force-destroyed) must outlive it, or that data is unreadable after the key's
    // deletion window (AWS KMS: deleting a key makes its ciphertext unrecoverable).
    const key = (id: string, description: string, outlivesDestroy: boolean) => {
      const k = new aws.kms.Key(
        `${name}-${id}`,
        { description, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags },
        { parent: this, protect, retainOnDelete: outlivesDestroy },
      );
      new aws.kms.Alias(
        `${name}-${id}`,
        { name: `alias/${args.namePrefix}-${id}`, targetKeyId: k.keyId },
        { parent: this, ...FIXED_IDENTITY },
      );
      return k;
    };

    // --- PostgreSQL -----------------------------------------------------------
    this.databaseKey = key(
      "mlflow-db",
      "MLflow RDS storage and Performance Insights",
      args.database.finalSnapshot,
    );

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-pg`,
      {
        vpcId: args.vpcId,
        description: "MLflow PostgreSQL: 5432 from the EKS nodes only",
        tags: { ...args.tags, Name: `${args.namePrefix}-mlflow-db` },
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-pg-from-nodes`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: args.nodeSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        description: "PostgreSQL from EKS nodes",
        tags: args.tags,
      },
      { parent: this },
    );

    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-pg`,
      {
        subnetIds: args.privateSubnetIds,
        description: "MLflow PostgreSQL (private subnets)",
        tags: args.tags,
      },
      { parent: this },
    );

    // A major bump replaces this group (family forces replacement; autonamed, so the new one is
    // created first); the old one deletes only once the instance has moved off it, which needs
    // database.applyImmediately for that up (RDS: a group in use cannot be deleted).
    this.parameterGroup = new aws.rds.ParameterGroup(
      `${name}-pg`,
      {
        family: `postgres${args.database.postgresVersion}`,
        description: "MLflow PostgreSQL: TLS only, connection logging",
        parameters: Object.entries(RDS_POSTGRES_PARAMETERS).map(([n, value]) => ({
          name: n,
          value,
          // rds.force_ssl is dynamic since PostgreSQL 15; keep every change on the next reboot at the latest.
          applyMethod: "pending-reboot",
        })),
        tags: args.tags,
      },
      { parent: this },
    );

    const password = new random.RandomPassword(
      `${name}-db-password`,
      // Alphanumeric only: it ends up in a connection URI and must need no escaping.
      { length: 32, special: false },
      { parent: this },
    );

    this.instance = new aws.rds.Instance(
      `${name}-pg`,
      {
        ...rdsInstanceSettings(args.database, { namePrefix: args.namePrefix }),
        kmsKeyId: this.databaseKey.arn,
        performanceInsightsKmsKeyId: this.databaseKey.arn,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [this.securityGroup.id],
        parameterGroupName: this.parameterGroup.name,
        dbName: "mlflow",
        username: "mlflow",
        password: password.result,
        tags: args.tags,
      },
      { parent: this, protect },
    );

    // --- Artifacts --------------------------------------------------------------
    this.artifactsKey = key(
      "mlflow-artifacts",
      "MLflow artifact bucket (SSE-KMS)",
      !args.artifacts.forceDestroy,
    );
    this.bucket = new aws.s3.Bucket(
      `${name}-artifacts`,
      { forceDestroy: args.artifacts.forceDestroy, tags: args.tags },
      { parent: this, protect },
    );
    const bucket = this.bucket.id;
    new aws.s3.BucketOwnershipControls(
      `${name}-artifacts`,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-artifacts`,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-artifacts`,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-artifacts`,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: this.artifactsKey.arn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      { parent: this },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-artifacts`,
      { bucket, rules: s3LifecycleRules(args.artifacts.keepVersions) },
      // Noncurrent-version rules mean nothing until versioning is on.
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      `${name}-artifacts`,
      {
        bucket,
        policy: this.bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
      },
      { parent: this, dependsOn: [publicAccess] },
    );

    // --- Identity ---------------------------------------------------------------
    this.role = new aws.iam.Role(
      `${name}-mlflow`,
      {
        description: "MLflow tracking server (artifact bucket only), assumed via IRSA",
        assumeRolePolicy: pulumi
          .all([args.oidcProviderArn, args.oidcIssuerUrl])
          .apply(([arn, url]) =>
            JSON.stringify(irsaTrustPolicy(arn, url, ksa.namespace, ksa.name)),
          ),
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-mlflow-artifacts`,
      {
        role: this.role.name,
        policy: pulumi
          .all([this.bucket.arn, this.artifactsKey.arn])
          .apply(([bucketArn, keyArn]) =>
            JSON.stringify(mlflowArtifactPolicy(bucketArn, keyArn, args.region)),
          ),
      },
      { parent: this },
    );

    this.dbHost = this.instance.address;
    this.dbName = this.instance.dbName;
    this.dbUser = this.instance.username;
    this.dbPassword = pulumi.secret(password.result);
    this.bucketName = this.bucket.bucket;
    this.artifactRoot = pulumi.interpolate`s3://${this.bucket.bucket}/mlflow`;
    this.connectionName = this.instance.endpoint;
    this.serviceAccountAnnotations = this.role.arn.apply((arn): Record<string, string> => ({
      "eks.amazonaws.com/role-arn": arn,
    }));

    this.registerOutputs({
      dbHost: this.dbHost,
      connectionName: this.connectionName,
      bucketName: this.bucketName,
      artifactRoot: this.artifactRoot,
    });
  }
}
