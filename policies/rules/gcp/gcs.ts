/** Cloud Storage: uniform access, public access prevention, versioning, no public IAM, logging and CMEK. */
import { gcpCis } from "../../lib/frameworks";
import {
  LOG_BUCKET_PATTERNS,
  asArray,
  cis,
  get,
  globRegExp,
  resourceRule,
  type Rule,
} from "../../lib/rule";
import { GCS_BUCKET, GCS_BUCKET_IAM } from "../types";

export const gcsRules: Rule[] = [
  resourceRule({
    name: "gcp-gcs-uniform-access",
    covers: ["CKV_GCP_29", "AVD-GCP-0002"],
    description: "Cloud Storage buckets must use uniform bucket-level access (no object ACLs).",
    severity: "medium",
    types: [GCS_BUCKET],
    tags: ["gcp", "storage", "iam"],
    framework: gcpCis(
      "5.2",
      "Ensure That Cloud Storage Buckets Have Uniform Bucket-Level Access Enabled",
    ),
    remediationSteps: "Set uniformBucketLevelAccess = true.",
    check: (p) =>
      p.uniformBucketLevelAccess === true ? [] : ["uniformBucketLevelAccess is not true."],
  }),
  resourceRule({
    name: "gcp-gcs-public-access-prevention",
    covers: [
      "CKV_GCP_114",
      "compliance-policies:gcp-storage-bucket-enforce-public-access-prevention",
    ],
    description: "Cloud Storage buckets must enforce public access prevention.",
    severity: "high",
    types: [GCS_BUCKET],
    tags: ["gcp", "storage", "security"],
    framework: gcpCis(
      "5.1",
      "Ensure That Cloud Storage Bucket Is Not Anonymously or Publicly Accessible",
    ),
    remediationSteps: "Set publicAccessPrevention = 'enforced'.",
    check: (p) =>
      p.publicAccessPrevention === "enforced"
        ? []
        : [`publicAccessPrevention is ${p.publicAccessPrevention ?? "inherited"}.`],
  }),
  resourceRule({
    name: "gcp-gcs-versioning",
    covers: ["CKV_GCP_78", "AVD-GCP-0078"],
    description:
      "Cloud Storage buckets holding artifacts must be versioned so overwrites and deletes can be undone.",
    severity: "medium",
    types: [GCS_BUCKET],
    tags: ["gcp", "storage", "reliability"],
    remediationSteps:
      "Set versioning.enabled = true and cap noncurrent versions with a lifecycle rule.",
    check: (p) => (get(p, "versioning.enabled") === true ? [] : ["versioning is off."]),
  }),
  resourceRule({
    name: "gcp-gcs-no-public-iam",
    covers: ["CKV_GCP_28", "AVD-GCP-0001"],
    description: "Bucket IAM must not grant anything to allUsers or allAuthenticatedUsers.",
    severity: "critical",
    types: GCS_BUCKET_IAM,
    tags: ["gcp", "storage", "iam", "security"],
    framework: gcpCis(
      "5.1",
      "Ensure That Cloud Storage Bucket Is Not Anonymously or Publicly Accessible",
    ),
    remediationSteps:
      "Grant roles to specific principals; serve public content through a CDN with signed URLs.",
    check: (p) => {
      const members = [p.member, ...asArray(p.members)].filter(Boolean).map(String);
      const bad = members.filter((m) => m === "allUsers" || m === "allAuthenticatedUsers");
      return bad.length ? [`grants ${p.role} to ${bad.join(", ")}.`] : [];
    },
  }),
  resourceRule<{
    requireAccessLogging: boolean;
    requireCustomerKey: boolean;
    logBucketPatterns: string[];
  }>({
    name: "gcp-gcs-logging-and-cmek",
    covers: ["CKV_GCP_62", "AVD-GCP-0077", "AVD-GCP-0066", "CKV_GCP_63"],
    description:
      "Cloud Storage buckets must write usage logs (never into themselves) and use a customer-managed key where the stack requires it (data access audit logs and Google-managed encryption are the defaults).",
    severity: "low",
    types: [GCS_BUCKET],
    tags: ["gcp", "storage", "logging", "encryption"],
    framework: cis(
      "Google Cloud Storage documentation",
      "2026",
      "Usage logs; Customer-managed encryption keys",
      "Buckets log usage and use a customer-managed key where required",
    ),
    remediationSteps:
      "Set logging.logBucket to a log bucket, and encryption.defaultKmsKeyName to a Cloud KMS key.",
    config: {
      requireAccessLogging: {
        type: "boolean",
        default: false,
        description: "Require logging.logBucket (usage and storage logs) on every bucket.",
      },
      requireCustomerKey: {
        type: "boolean",
        default: false,
        description: "Require encryption.defaultKmsKeyName (CMEK) on every bucket.",
      },
      logBucketPatterns: {
        type: "array",
        items: { type: "string" },
        default: LOG_BUCKET_PATTERNS,
        description:
          "Bucket names (globs) of usage-log targets, which need no logging of their own.",
      },
    },
    check: (p, { config }) => [
      // A bucket logging into itself writes a log object per log write it receives.
      ...(p.name !== undefined && get(p, "logging.logBucket") === p.name
        ? ["logging.logBucket is the bucket itself."]
        : []),
      ...(config.requireAccessLogging &&
      !get(p, "logging.logBucket") &&
      !config.logBucketPatterns.some((g) => globRegExp(g).test(String(p.name)))
        ? ["logging.logBucket is not set."]
        : []),
      ...(config.requireCustomerKey && !get(p, "encryption.defaultKmsKeyName")
        ? ["encryption.defaultKmsKeyName is not set (Google-managed key)."]
        : []),
    ],
  }),
];
