/** PostgreSQL on either cloud: a major version the community still supports. */
import { MIN_POSTGRES_VERSION } from "../../components/model";
import { resourceRule, type Rule } from "../lib/rule";
import { CLOUD_SQL_INSTANCE, RDS_CLUSTER, RDS_INSTANCE } from "./types";

/** The PostgreSQL major a database resource runs, or undefined (another engine, or RDS's default). */
export function postgresMajor(type: string, p: Record<string, any>): number | undefined {
  if (type === CLOUD_SQL_INSTANCE) {
    const m = /^POSTGRES_(\d+)$/.exec(String(p.databaseVersion ?? ""));
    return m ? Number(m[1]) : undefined;
  }
  if (!["postgres", "aurora-postgresql"].includes(String(p.engine ?? ""))) return undefined;
  // engineVersion "16" or "16.4"; absent, RDS picks its current default version.
  const m = /^(\d+)/.exec(String(p.engineVersion ?? ""));
  return m ? Number(m[1]) : undefined;
}

export const databaseRules: Rule[] = [
  resourceRule<{ minimumMajorVersion: number }>({
    name: "database-postgres-supported-major",
    covers: ["CKV_AWS_250"],
    description: `PostgreSQL must run a major the community still supports (${MIN_POSTGRES_VERSION} or newer by default, the oldest the platform deploys): older majors get no security fixes, and RDS releases before 13.3 / 12.7 / 11.12 / 10.17 carry the log_fdw flaw (AWS-2022-004).`,
    severity: "high",
    types: [CLOUD_SQL_INSTANCE, RDS_INSTANCE, RDS_CLUSTER],
    tags: ["database", "patching", "security"],
    remediationSteps:
      "Raise database.postgresVersion (a major upgrade: set database.applyImmediately on AWS for that up, and take a backup first).",
    config: {
      minimumMajorVersion: {
        type: "integer",
        default: MIN_POSTGRES_VERSION,
        minimum: 9,
        description:
          "Oldest PostgreSQL major allowed (postgresql.org/support/versioning: five years of fixes per major).",
      },
    },
    check: (p, { type, config }) => {
      const major = postgresMajor(type, p);
      return major !== undefined && major < config.minimumMajorVersion
        ? [
            `PostgreSQL ${major} is older than ${config.minimumMajorVersion}, the oldest major allowed.`,
          ]
        : [];
    },
  }),
];
