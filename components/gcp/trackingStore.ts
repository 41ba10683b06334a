import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MLFLOW_NAMESPACE, MLFLOW_SERVICE_ACCOUNT, type TrackingStoreOutputs } from "../contracts";
import { trackingSettingsProblems, validateArgs, type ArgProblem } from "../lib/validation";
import type { ArtifactSettings, DatabaseSettings } from "../model";
import { FIXED_IDENTITY } from "../lib/replacement";

/** Cloud-neutral DB size -> Cloud SQL Enterprise tier (vCPU / MiB). */
export const CLOUD_SQL_TIERS: Record<DatabaseSettings["size"], string> = {
  small: "db-custom-1-3840",
  medium: "db-custom-2-7680",
  large: "db-custom-4-15360",
  xlarge: "db-custom-8-30720",
};

/**
 * Postgres flags that make Cloud SQL's logs useful for audits (CIS GCP 6.2.x):
 * connections, disconnections, checkpoints, lock waits, temp files, errors, DDL.
 */
export const POSTGRES_LOG_FLAGS: Record<string, string> = {
  log_checkpoints: "on",
  log_connections: "on",
  log_disconnections: "on",
  log_lock_waits: "on",
  log_temp_files: "0",
  log_min_messages: "warning",
  log_min_error_statement: "error",
  log_min_duration_statement: "-1",
  log_statement: "ddl",
};

export interface GcpTrackingStoreArgs {
  /**
   * The enabled Google APIs (GcpProjectServices). Every resource that does not
   * already wait for another one of the platform's resources waits for them.
   */
  apis?: pulumi.Resource;
  /** GCP project id. */
  project: string;
  /** Region of the database and the bucket. */
  region: string;
  /** VPC id/self link that Cloud SQL's private IP is attached to. */
  network: pulumi.Input<string>;
  /**
   * The Private Service Access connection of that VPC. The instance waits for it
   * (a real dependency: the private IP is allocated from its range), and for nothing else.
   */
  privateServiceConnection: pulumi.Resource;
  /** Database settings (cloud-neutral). */
  database: DatabaseSettings;
  /** Artifact bucket settings (cloud-neutral). */
  artifacts: ArtifactSettings;
  /** Labels on the instance and bucket. */
  labels: Record<string, string>;
  /**
   * The cluster's workload identity pool (`<project>.svc.id.goog`). Only the
   * IAM binding for the Kubernetes service account waits for it.
   */
  workloadIdentityPool: pulumi.Input<string>;
  /** Kubernetes namespace/name of the MLflow service account. Defaults to `mlflow/mlflow`. */
  kubernetesServiceAccount?: { namespace: string; name: string };
  /** Prefix for the MLflow Google service account id (6-30 chars in all). */
  accountPrefix: string;
  /** Pulumi `protect` on the instance and the bucket. Defaults to false. */
  protect?: boolean;
}

/** The args that come from config (everything but other components' outputs); what validation reads. */
export type GcpTrackingStoreSettings = Omit<
  GcpTrackingStoreArgs,
  "network" | "privateServiceConnection" | "workloadIdentityPool" | "apis"
>;

export function gcpTrackingStoreProblems(args: GcpTrackingStoreSettings): ArgProblem[] {
  const problems: ArgProblem[] = trackingSettingsProblems(args.database, args.artifacts);
  if (args.database.pitrRetentionDays < 1 || args.database.pitrRetentionDays > 7)
    problems.push({
      propertyPath: "database.pitrRetentionDays",
      reason: `(${args.database.pitrRetentionDays}) must be between 1 and 7 days (Cloud SQL's limit for transaction log retention).`,
    });
  // Cloud SQL refuses transactionLogRetentionDays >= retainedBackups (backupConfiguration docs:
  // the logs must be covered by a retained backup).
  if (args.database.pitrRetentionDays >= args.database.backupRetentionDays)
    problems.push({
      propertyPath: "database.pitrRetentionDays",
      reason: `(${args.database.pitrRetentionDays}) must be below backupRetentionDays (${args.database.backupRetentionDays}) on Cloud SQL: lower it or keep more backups.`,
    });
  const accountId = `${args.accountPrefix}-mlflow`;
  if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(accountId))
    problems.push({
      propertyPath: "accountPrefix",
      reason: `gives "${accountId}", not a 6-30 character service account id.`,
    });
  return problems;
}

/** `settings` of the Cloud SQL instance. Pure; exported for tests. */
export function cloudSqlSettings(
  args: Pick<GcpTrackingStoreArgs, "database" | "labels">,
  network: pulumi.Input<string>,
) {
  const db = args.database;
  return {
    tier: CLOUD_SQL_TIERS[db.size],
    edition: "ENTERPRISE",
    availabilityType: db.highAvailability ? "REGIONAL" : "ZONAL",
    diskType: "PD_SSD",
    diskSize: db.diskSizeGb,
    diskAutoresize: true,
    deletionProtectionEnabled: db.deletionProtection,
    ipConfiguration: {
      ipv4Enabled: false,
      privateNetwork: network,
      sslMode: "ENCRYPTED_ONLY",
    },
    backupConfiguration: {
      enabled: true,
      startTime: "02:00",
      pointInTimeRecoveryEnabled: true,
      transactionLogRetentionDays: db.pitrRetentionDays,
      backupRetentionSettings: { retainedBackups: db.backupRetentionDays, retentionUnit: "COUNT" },
    },
    maintenanceWindow: { day: 7, hour: 3, updateTrack: "stable" },
    insightsConfig: {
      queryInsightsEnabled: true,
      recordApplicationTags: true,
      recordClientAddress: false,
      queryStringLength: 1024,
    },
    databaseFlags: Object.entries(POSTGRES_LOG_FLAGS).map(([name, value]) => ({ name, value })),
    userLabels: args.labels,
  };
}

/**
 * Lifecycle rules: keep the newest `keepVersions` noncurrent versions of each object.
 * GCS counts the live version among the newer ones (Object Lifecycle Management,
 * `numNewerVersions`: "at least N versions, including the live version, newer than
 * it"), so keeping N noncurrent versions deletes at N + 1. Pure.
 */
export function keepNewestVersionsRule(keepVersions: number) {
  return {
    action: { type: "Delete" },
    condition: { numNewerVersions: keepVersions + 1, withState: "ARCHIVED" },
  };
}

/**
 * MLflow's backing store on GCP: Cloud SQL for PostgreSQL (private IP only, TLS
 * required, backups + PITR, query insights, audit log flags, HA and deletion
 * protection where asked), a versioned GCS bucket for artifacts (uniform access,
 * public access prevention, keep-N lifecycle), and a Google service account with
 * object access on that bucket only, bound to the MLflow Kubernetes service
 * account through workload identity. Exposes {@link TrackingStoreOutputs}.
 */
export class GcpTrackingStore extends pulumi.ComponentResource implements TrackingStoreOutputs {
  public readonly instance: gcp.sql.DatabaseInstance;
  public readonly database: gcp.sql.Database;
  public readonly user: gcp.sql.User;
  public readonly bucket: gcp.storage.Bucket;
  public readonly serviceAccount: gcp.serviceaccount.Account;
  public readonly dbHost: pulumi.Output<string>;
  public readonly dbPort = 5432;
  public readonly dbName: pulumi.Output<string>;
  public readonly dbUser: pulumi.Output<string>;
  public readonly dbPassword: pulumi.Output<string>;
  public readonly artifactRoot: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  public readonly connectionName: pulumi.Output<string>;
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: GcpTrackingStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:tracking:GcpTrackingStore", name, {}, opts);
    validateArgs("mlops:tracking:GcpTrackingStore", name, gcpTrackingStoreProblems(args));
    const protect = args.protect ?? false;
    const ksa = args.kubernetesServiceAccount ?? {
      namespace: MLFLOW_NAMESPACE,
      name: MLFLOW_SERVICE_ACCOUNT,
    };

    this.instance = new gcp.sql.DatabaseInstance(
      `${name}-pg`,
      {
        project: args.project,
        region: args.region,
        databaseVersion: `POSTGRES_${args.database.postgresVersion}`,
        settings: cloudSqlSettings(args, args.network),
        deletionProtection: args.database.deletionProtection,
      },
      { parent: this, protect, dependsOn: [args.privateServiceConnection] },
    );

    this.database = new gcp.sql.Database(
      `${name}-db`,
      {
        project: args.project,
        instance: this.instance.name,
        name: "mlflow",
        // TPG google_sql_database deletion_policy: a Postgres database with open connections
        // or other users' objects cannot be dropped through the API; the instance's own
        // deletion takes it anyway, so a destroy abandons it instead of failing.
        deletionPolicy: "ABANDON",
      },
      { parent: this },
    );

    const password = new random.RandomPassword(
      `${name}-db-password`,
      // Alphanumeric only: it ends up in a connection URI and must need no escaping.
      { length: 32, special: false },
      { parent: this },
    );

    this.user = new gcp.sql.User(
      `${name}-db-user`,
      {
        project: args.project,
        instance: this.instance.name,
        name: "mlflow",
        password: password.result,
        type: "BUILT_IN",
        // Postgres refuses to drop a role that owns objects; leave it to the instance.
        deletionPolicy: "ABANDON",
      },
      { parent: this },
    );

    this.bucket = new gcp.storage.Bucket(
      `${name}-artifacts`,
      {
        project: args.project,
        location: args.region.toUpperCase(),
        storageClass: "STANDARD",
        versioning: { enabled: true },
        lifecycleRules: [keepNewestVersionsRule(args.artifacts.keepVersions)],
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        forceDestroy: args.artifacts.forceDestroy,
        labels: args.labels,
      },
      { parent: this, protect, dependsOn: args.apis ? [args.apis] : [] },
    );

    this.serviceAccount = new gcp.serviceaccount.Account(
      `${name}-mlflow`,
      {
        project: args.project,
        accountId: `${args.accountPrefix}-mlflow`,
        displayName: "MLflow tracking server (artifact bucket only)",
      },
      { parent: this, dependsOn: args.apis ? [args.apis] : [], ...FIXED_IDENTITY },
    );

    new gcp.storage.BucketIAMMember(
      `${name}-mlflow-objects`,
      {
        bucket: this.bucket.name,
        role: "roles/storage.objectUser",
        member: this.serviceAccount.member,
      },
      { parent: this, ...FIXED_IDENTITY },
    );

    new gcp.serviceaccount.IAMMember(
      `${name}-mlflow-wi`,
      {
        serviceAccountId: this.serviceAccount.name,
        role: "roles/iam.workloadIdentityUser",
        member: pulumi.interpolate`serviceAccount:${args.workloadIdentityPool}[${ksa.namespace}/${ksa.name}]`,
      },
      { parent: this, ...FIXED_IDENTITY },
    );

    this.dbHost = this.instance.privateIpAddress;
    this.dbName = this.database.name;
    this.dbUser = this.user.name;
    this.dbPassword = pulumi.secret(password.result);
    this.bucketName = this.bucket.name;
    this.artifactRoot = pulumi.interpolate`gs://${this.bucket.name}/mlflow`;
    this.connectionName = this.instance.connectionName;
    this.serviceAccountAnnotations = this.serviceAccount.email.apply(
      (email): Record<string, string> => ({
        "iam.gke.io/gcp-service-account": email,
      }),
    );

    this.registerOutputs({
      dbHost: this.dbHost,
      connectionName: this.connectionName,
      bucketName: this.bucketName,
      artifactRoot: this.artifactRoot,
    });
  }
}
