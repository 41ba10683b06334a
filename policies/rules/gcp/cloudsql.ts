/** Cloud SQL for PostgreSQL: private IP only, TLS, backups and PITR, resilience, log flags. */
import { gcpCis } from "../../lib/frameworks";
import { isCidr, isPrivateCidr } from "../../../components/lib/net";
import { postgresLoggingProblems } from "../../lib/postgres";
import { asArray, get, resourceRule, type Rule } from "../../lib/rule";
import { CLOUD_SQL_INSTANCE } from "../types";

export const cloudSqlRules: Rule[] = [
  resourceRule({
    name: "gcp-cloudsql-private-ip-only",
    covers: ["CKV_GCP_60", "CKV_GCP_11", "AVD-GCP-0017"],
    description: "Cloud SQL instances must have no public IP.",
    severity: "critical",
    types: [CLOUD_SQL_INSTANCE],
    tags: ["gcp", "cloudsql", "network", "security"],
    framework: gcpCis("6.6", "Ensure That Cloud SQL Database Instances Do Not Have Public IPs"),
    remediationSteps:
      "Set settings.ipConfiguration.ipv4Enabled = false and privateNetwork to your VPC (Private Service Access).",
    // Provider default: ipv4Enabled true.
    check: (p) => {
      const ip = get(p, "settings.ipConfiguration") ?? {};
      const out: string[] = [];
      if (ip.ipv4Enabled !== false)
        out.push("settings.ipConfiguration.ipv4Enabled is not false (public IP).");
      if (!ip.privateNetwork) out.push("settings.ipConfiguration.privateNetwork is not set.");
      // Authorized networks take effect the moment a public IP is turned on (CIS GCP 6.5).
      // Any public range is exposure (trivy AVD-GCP-0017); the platform reaches the database
      // over Private Service Access only.
      for (const n of asArray<any>(ip.authorizedNetworks)) {
        const v = String(n.value);
        if (v === "0.0.0.0/0" || v === "::/0")
          out.push(`authorizedNetworks admits ${v} (${n.name ?? "unnamed"}).`);
        else if (!isCidr(v) || !isPrivateCidr(v))
          out.push(`authorizedNetworks admits the public range ${v} (${n.name ?? "unnamed"}).`);
      }
      return out;
    },
  }),
  resourceRule({
    name: "gcp-cloudsql-tls-required",
    covers: ["CKV_GCP_6", "AVD-GCP-0015"],
    description: "Cloud SQL must refuse unencrypted connections.",
    severity: "high",
    types: [CLOUD_SQL_INSTANCE],
    tags: ["gcp", "cloudsql", "encryption"],
    framework: gcpCis(
      "6.4",
      "Ensure That the Cloud SQL Database Instance Requires All Incoming Connections To Use SSL",
    ),
    remediationSteps:
      "Set settings.ipConfiguration.sslMode = 'ENCRYPTED_ONLY' (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED).",
    check: (p) => {
      const mode = get(p, "settings.ipConfiguration.sslMode");
      return mode === "ENCRYPTED_ONLY" || mode === "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
        ? []
        : [`sslMode is ${mode ?? "unset (unencrypted allowed)"}.`];
    },
  }),
  resourceRule<{ minRetainedBackups: number }>({
    name: "gcp-cloudsql-backups",
    covers: ["CKV_GCP_14", "AVD-GCP-0024"],
    description:
      "Cloud SQL must take automated backups with point-in-time recovery and keep enough of them.",
    severity: "high",
    types: [CLOUD_SQL_INSTANCE],
    tags: ["gcp", "cloudsql", "reliability", "backup"],
    framework: gcpCis(
      "6.7",
      "Ensure That Cloud SQL Database Instances Are Configured With Automated Backups",
    ),
    remediationSteps:
      "Enable settings.backupConfiguration with pointInTimeRecoveryEnabled and backupRetentionSettings.retainedBackups >= the threshold.",
    config: {
      minRetainedBackups: {
        type: "integer",
        default: 7,
        minimum: 1,
        description: "Fewest daily backups to keep.",
      },
    },
    check: (p, { config }) => {
      // Read replicas cannot have backups or PITR (cloud.google.com/sql/docs/postgres/replication:
      // "backups ... are not supported on read replicas"); the primary's cover them.
      if (p.masterInstanceName) return [];
      const b = get(p, "settings.backupConfiguration") ?? {};
      const out: string[] = [];
      if (b.enabled !== true) out.push("automated backups are off.");
      if (b.pointInTimeRecoveryEnabled !== true) out.push("point-in-time recovery is off.");
      const kept = get(b, "backupRetentionSettings.retainedBackups") ?? 7; // Cloud SQL's default.
      if (kept < config.minRetainedBackups)
        out.push(`keeps ${kept} backups; at least ${config.minRetainedBackups} required.`);
      return out;
    },
  }),
  resourceRule<{ requireDeletionProtection: boolean; requireHighAvailability: boolean }>({
    name: "gcp-cloudsql-resilience",
    description:
      "Cloud SQL must keep deletion protection on, and be REGIONAL where high availability is required (prod).",
    severity: "high",
    types: [CLOUD_SQL_INSTANCE],
    tags: ["gcp", "cloudsql", "reliability"],
    remediationSteps:
      "Set deletionProtection and settings.deletionProtectionEnabled = true; set settings.availabilityType = 'REGIONAL' in prod.",
    config: {
      requireDeletionProtection: {
        type: "boolean",
        default: true,
        description:
          "Require deletion protection (the same setting as aws-rds-resilience's, so both clouds judge a stack alike).",
      },
      requireHighAvailability: {
        type: "boolean",
        default: false,
        description: "Require REGIONAL availability.",
      },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      if (config.requireDeletionProtection) {
        if (p.deletionProtection === false) out.push("Pulumi deletionProtection is false.");
        if (get(p, "settings.deletionProtectionEnabled") !== true)
          out.push("settings.deletionProtectionEnabled is not true.");
      }
      if (config.requireHighAvailability && get(p, "settings.availabilityType") !== "REGIONAL")
        out.push("availabilityType is not REGIONAL.");
      return out;
    },
  }),
  resourceRule<{ requiredFlags: string[]; requirePgaudit: boolean }>({
    name: "gcp-cloudsql-postgres-log-flags",
    covers: [
      "CKV_GCP_51",
      "CKV_GCP_52",
      "CKV_GCP_53",
      "CKV_GCP_54",
      "CKV_GCP_56",
      "CKV_GCP_110",
      "AVD-GCP-0014",
      "AVD-GCP-0016",
      "AVD-GCP-0020",
      "AVD-GCP-0022",
      "AVD-GCP-0025",
      "CKV_GCP_55",
      "CKV_GCP_109",
      "AVD-GCP-0018",
      "CKV_GCP_57",
      "AVD-GCP-0021",
      "CKV_GCP_111",
      "CKV2_GCP_14",
      "CKV2_GCP_15",
      "CKV2_GCP_16",
      "CKV2_GCP_17",
    ],
    description:
      "Cloud SQL for PostgreSQL must log connections, disconnections, checkpoints, lock waits, temp files, DDL statements (log_statement ddl, mod or all) and errors (log_min_messages and log_min_error_statement at error or more verbose); it must not log statement text with durations (log_min_duration_statement -1) nor the per-module statistics (log_*_stats off) (CIS GCP 6.2.x); pgaudit where the stack requires it.",
    severity: "low",
    types: [CLOUD_SQL_INSTANCE],
    tags: ["gcp", "cloudsql", "logging"],
    framework: gcpCis(
      "6.2.2",
      "Ensure that the log_connections database flag for Cloud SQL PostgreSQL instance is set to on",
    ),
    remediationSteps:
      "Add settings.databaseFlags entries: 'on' for each required flag, log_temp_files '0', log_statement 'ddl'; remove log_min_duration_statement other than '-1' and any log_*_stats 'on'.",
    config: {
      requiredFlags: {
        type: "array",
        items: { type: "string" },
        default: ["log_connections", "log_disconnections", "log_checkpoints", "log_lock_waits"],
        description: "Flags that must be on.",
      },
      requirePgaudit: {
        type: "boolean",
        default: false,
        description:
          "Require cloudsql.enable_pgaudit = on (session and object audit logs; CIS GCP 6.2.8).",
      },
    },
    check: (p, { config }) => {
      if (!String(p.databaseVersion ?? "").startsWith("POSTGRES")) return [];
      const flags = new Map<string, string>(
        asArray(get(p, "settings.databaseFlags")).map((f: any) => [f.name, String(f.value)]),
      );
      const out = postgresLoggingProblems(flags, config.requiredFlags);
      if (config.requirePgaudit && flags.get("cloudsql.enable_pgaudit") !== "on")
        out.push("cloudsql.enable_pgaudit is not on.");
      return out;
    },
  }),
];
