/** S3: public access block, ownership, versioning, SSE-KMS, bucket policies, lifecycle, names. */
import type { PolicyResource } from "@pulumi/policy";
import { awsCis } from "../../lib/frameworks";
import {
  LOG_BUCKET_PATTERNS,
  asArray,
  get,
  globRegExp,
  parseDoc,
  cis,
  resourceRule,
  stackRule,
  takesInputFrom,
  unreadablePolicy,
  type Rule,
} from "../../lib/rule";
import {
  S3_PUBLIC_ACCESS_BLOCK,
  S3_OWNERSHIP_CONTROLS,
  S3_VERSIONING,
  S3_SSE,
  S3_BUCKET_POLICY,
  S3_BUCKET,
  S3_BUCKET_ACL,
  S3_LOGGING,
  S3_LIFECYCLE,
  S3_BUCKET_V2,
} from "../types";
import { isPublicPrincipal } from "./iam";

/** Condition keys that pin a public-principal statement to the caller's network, org or identity. */
const PINNING_KEYS = [
  "aws:sourcevpce",
  "aws:sourcevpc",
  "aws:vpceaccount",
  "aws:principalorgpaths",
  "aws:userid",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:ec2instancesourcevpc",
  "ec2:sourceinstancearn",
  "lambda:sourcefunctionarn",
  "ssm:sourceinstancearn",
];

/**
 * Whether a statement's conditions restrict a `*` principal to someone: checkov CKV_AWS_70's
 * check_conditions (S3AllowsAnyPrincipal.py at 03d5fdad), with condition keys compared without
 * case as IAM does.
 */
export function conditionRestricts(condition: unknown): boolean {
  if (typeof condition !== "object" || condition === null) return false;
  const c = condition as Record<string, Record<string, unknown>>;
  const keysOf = (op: string) =>
    Object.fromEntries(Object.entries(c[op] ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if ("ArnNotEquals" in c || "ArnNotLike" in c) return true;
  for (const op of ["ArnEquals", "ArnLike"]) {
    if (!(op in c)) continue;
    const keys = keysOf(op);
    for (const k of ["aws:principalarn", "aws:sourcearn"])
      if (
        k in keys &&
        asArray<string>(keys[k] as never).some((a) => /^arn:aws:[a-z0-9-]+::\*/.test(String(a)))
      )
        return false; // an ARN in any account restricts nothing
    return true;
  }
  return ["StringEquals", "StringEqualsIgnoreCase", "StringLike"].some((op) =>
    Object.keys(keysOf(op)).some((k) => PINNING_KEYS.includes(k)),
  );
}

/** Actions whose Deny to everyone, unconditioned, locks all but the root user out of the policy. */
const LOCKOUT_ACTIONS = ["s3:putbucketpolicy", "s3:*bucketpolicy", "s3:put*", "s3:*", "*"];

export const s3Rules: Rule[] = [
  resourceRule({
    name: "aws-s3-public-access-block",
    covers: [
      "CKV_AWS_53",
      "CKV_AWS_54",
      "CKV_AWS_55",
      "CKV_AWS_56",
      "AVD-AWS-0086",
      "AVD-AWS-0087",
      "AVD-AWS-0091",
      "AVD-AWS-0093",
      "CKV2_AWS_6",
    ],
    description: "Every S3 bucket's public access block must set all four flags.",
    severity: "critical",
    types: [S3_PUBLIC_ACCESS_BLOCK],
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
    types: [S3_OWNERSHIP_CONTROLS],
    tags: ["aws", "s3", "iam"],
    remediationSteps: "Set rule.objectOwnership = 'BucketOwnerEnforced'.",
    check: (p) =>
      get(p, "rule.objectOwnership") === "BucketOwnerEnforced"
        ? []
        : [`objectOwnership is ${get(p, "rule.objectOwnership")}.`],
  }),
  resourceRule({
    name: "aws-s3-versioning",
    covers: ["CKV_AWS_21", "AVD-AWS-0090"],
    description:
      "S3 buckets holding artifacts must be versioned (the BucketVersioning resource, or the deprecated inline block on the bucket).",
    severity: "medium",
    types: [...S3_VERSIONING, S3_BUCKET],
    tags: ["aws", "s3", "reliability"],
    remediationSteps:
      "Set versioningConfiguration.status = 'Enabled' and expire old noncurrent versions by lifecycle.",
    check: (p, { type }) => {
      // A bucket without the inline block is judged by its BucketVersioning resource
      // (aws-s3-bucket-companions requires one); with the block, the block decides.
      if (type === S3_BUCKET)
        return p.versioning && get(p, "versioning.enabled") !== true
          ? ["inline versioning.enabled is not true."]
          : [];
      return get(p, "versioningConfiguration.status") === "Enabled"
        ? []
        : ["versioning is not Enabled."];
    },
  }),
  resourceRule<{ logBucketPatterns: string[] }>({
    name: "aws-s3-sse-kms",
    covers: [
      "CKV_AWS_19",
      "CKV_AWS_145",
      "AVD-AWS-0132",
      "compliance-policies:aws-s3-bucket-configure-server-side-encryption-customer-managed-key",
      "compliance-policies:aws-s3-bucket-configure-server-side-encryption-kms",
      "compliance-policies:aws-s3-bucket-enable-server-side-encryption",
      "compliance-policies:aws-s3-bucket-enable-server-side-encryption-bucket-key",
    ],
    description:
      "S3 buckets must default to SSE-KMS with a bucket key (the bucket key is deliberately stricter than checkov and trivy: it cuts KMS requests and their cost); server access-log target buckets may use SSE-S3, the only encryption log delivery supports.",
    severity: "medium",
    types: [...S3_SSE, S3_BUCKET],
    tags: ["aws", "s3", "encryption"],
    remediationSteps:
      "Set rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = 'aws:kms' with kmsMasterKeyId, and bucketKeyEnabled = true.",
    config: {
      logBucketPatterns: {
        type: "array",
        items: { type: "string" },
        default: LOG_BUCKET_PATTERNS,
        description:
          "Bucket names (globs) of server access-log targets: S3 log delivery supports only SSE-S3 there (docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).",
      },
    },
    check: (p, { config, type }) => {
      // The deprecated inline block on the bucket (one `rule`) counts as much as the resource;
      // a bucket without it is judged by its BucketServerSideEncryptionConfiguration.
      if (type === S3_BUCKET && !p.serverSideEncryptionConfiguration) return [];
      const rules =
        type === S3_BUCKET
          ? asArray<any>(get(p, "serverSideEncryptionConfiguration.rule"))
          : asArray<any>(p.rules);
      const isLogBucket = config.logBucketPatterns.some((g) =>
        globRegExp(g).test(String(p.bucket)),
      );
      if (
        isLogBucket &&
        rules.some((r) => get(r, "applyServerSideEncryptionByDefault.sseAlgorithm") === "AES256")
      )
        return [];
      const kms = rules.filter(
        (r) => get(r, "applyServerSideEncryptionByDefault.sseAlgorithm") === "aws:kms",
      );
      if (kms.length === 0) return ["the default encryption is not SSE-KMS."];
      // Without kmsMasterKeyId S3 uses the AWS-managed aws/s3 key, whose policy you cannot set.
      if (!kms.some((r) => get(r, "applyServerSideEncryptionByDefault.kmsMasterKeyId")))
        return ["SSE-KMS with the AWS-managed aws/s3 key, not a customer-managed one."];
      // S3 Bucket Keys cut KMS requests (and their cost) by up to 99%; stricter than checkov/trivy.
      return kms.some((r) => r.bucketKeyEnabled === true)
        ? []
        : ["SSE-KMS without bucketKeyEnabled = true."];
    },
  }),
  resourceRule({
    name: "aws-s3-tls-only",
    description: "S3 bucket policies must deny requests that do not use TLS.",
    severity: "high",
    types: [S3_BUCKET_POLICY],
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
    name: "aws-s3-bucket-policy-safe",
    covers: ["CKV_AWS_70", "CKV_AWS_93"],
    description:
      "Bucket policies (BucketPolicy or the bucket's inline policy) must not allow any principal (`*`) unless a condition pins the caller (VPC endpoint, organisation, account, principal ARN), and must not deny everyone the bucket-policy actions without a condition, which locks out all but the root user.",
    severity: "critical",
    types: [S3_BUCKET_POLICY, S3_BUCKET],
    tags: ["aws", "s3", "iam", "security"],
    framework: cis(
      "checkov",
      "3",
      "CKV_AWS_70 / CKV_AWS_93",
      "S3 bucket policies: no action for any principal; no lockout of all but root",
    ),
    remediationSteps:
      "Name the principals (account or role ARNs) or add a condition such as aws:SourceVpce or aws:PrincipalOrgID; give a Deny of s3:PutBucketPolicy a condition (e.g. aws:PrincipalArn not the admin role).",
    check: (p) => [
      ...unreadablePolicy(p.policy),
      ...asArray<any>(parseDoc(p.policy).Statement).flatMap((st) => {
        if (!isPublicPrincipal(st.Principal)) return [];
        const actions = asArray<string>(st.Action).map((a) => String(a).toLowerCase());
        if ((st.Effect ?? "Allow") === "Allow")
          return conditionRestricts(st.Condition)
            ? []
            : [`allows ${asArray<string>(st.Action).join(", ") || "actions"} to any principal.`];
        return st.Effect === "Deny" &&
          !st.Condition &&
          !st.NotAction &&
          actions.some((a) => LOCKOUT_ACTIONS.includes(a))
          ? [
              "denies everyone the bucket-policy actions without a condition: only the root user could change it.",
            ]
          : [];
      }),
    ],
  }),
  resourceRule({
    name: "aws-s3-dns-compliant-name",
    covers: ["AVD-AWS-0320"],
    description:
      "Bucket names must not contain dots: virtual-hosted-style HTTPS (the only style new SDKs use) fails certificate validation for them, and S3 Transfer Acceleration refuses them.",
    severity: "low",
    types: [S3_BUCKET, S3_BUCKET_V2],
    tags: ["aws", "s3"],
    framework: cis(
      "Amazon S3 User Guide",
      "2026",
      "bucketnamingrules",
      "Bucket names should not contain periods for virtual-hosted-style access",
    ),
    remediationSteps: "Use hyphens instead of dots in bucket (or bucketPrefix).",
    check: (p) =>
      ["bucket", "bucketPrefix"]
        .filter((k) => typeof p[k] === "string" && p[k].includes("."))
        .map((k) => `${k} ${p[k]} contains a dot.`),
  }),
  stackRule<{ requireAccessLogging: boolean }>({
    name: "aws-s3-bucket-companions",
    covers: [
      "CKV_AWS_18",
      "AVD-AWS-0089",
      "CKV_AWS_21",
      "AVD-AWS-0090",
      "CKV2_AWS_6",
      "AVD-AWS-0094",
      "CKV2_AWS_61",
      "CKV_AWS_19",
      "CKV_AWS_145",
      "compliance-policies:aws-s3-bucket-enable-server-side-encryption",
    ],
    description:
      "Every S3 bucket needs a BucketPublicAccessBlock, a default encryption (BucketServerSideEncryptionConfiguration or the inline block; aws-s3-sse-kms judges what it says), its versioning configured by a BucketVersioning resource (the inline block is deprecated), a lifecycle configuration (BucketLifecycleConfiguration or the inline lifecycleRules) so noncurrent versions and logs expire, and server access logging (BucketLogging or the inline block) where the stack requires it; a bucket others log into is exempt from logging.",
    severity: "medium",
    types: [
      S3_BUCKET,
      ...S3_VERSIONING,
      S3_LOGGING,
      S3_PUBLIC_ACCESS_BLOCK,
      ...S3_LIFECYCLE,
      ...S3_SSE,
    ],
    tags: ["aws", "s3", "backup", "logging"],
    framework: awsCis("2.1.3 / 3.6", "S3 versioning; S3 bucket access logging"),
    remediationSteps:
      "Add aws.s3.BucketVersioning (status Enabled) and aws.s3.BucketLifecycleConfiguration for the bucket, and aws.s3.BucketLogging to a log bucket where required.",
    config: {
      requireAccessLogging: {
        type: "boolean",
        default: false,
        description:
          "Require server access logging for every bucket except log targets (CloudTrail data events are the alternative).",
      },
    },
    check: (resources, config) => {
      // A companion points at its bucket by name, or (when the value is the bucket's computed ID)
      // through the engine's property dependency on the bucket resource.
      const pointsAt = (r: PolicyResource, prop: string, b: PolicyResource, name: string) =>
        String(r.props[prop]) === name || takesInputFrom(r, b, prop);
      const of = (types: string[]) => resources.filter((r) => types.includes(r.type));
      return resources
        .filter((r) => r.type === S3_BUCKET)
        .flatMap((b) => {
          const name = String(b.props.bucket ?? b.name);
          const out: { message: string; urn: string }[] = [];
          const versioned =
            of(S3_VERSIONING).some((v) => pointsAt(v, "bucket", b, name)) ||
            get(b.props, "versioning.enabled") === true;
          if (!versioned)
            out.push({ message: `bucket ${name} has no BucketVersioning.`, urn: b.urn });
          if (!of([S3_PUBLIC_ACCESS_BLOCK]).some((x) => pointsAt(x, "bucket", b, name)))
            out.push({ message: `bucket ${name} has no BucketPublicAccessBlock.`, urn: b.urn });
          const encrypted =
            of(S3_SSE).some((x) => pointsAt(x, "bucket", b, name)) ||
            !!b.props.serverSideEncryptionConfiguration;
          if (!encrypted)
            out.push({
              message: `bucket ${name} has no default encryption configuration (S3 falls back to SSE-S3).`,
              urn: b.urn,
            });
          const lifecycle =
            of(S3_LIFECYCLE).some((x) => pointsAt(x, "bucket", b, name)) ||
            asArray(b.props.lifecycleRules).length > 0;
          if (!lifecycle)
            out.push({ message: `bucket ${name} has no lifecycle configuration.`, urn: b.urn });
          // Logged: a BucketLogging for it or the deprecated inline block on it; a bucket
          // others log into (a BucketLogging or inline block names it the target) is exempt.
          const inlineTarget = (x: PolicyResource) =>
            String(get(x.props, "logging.targetBucket")) === name ||
            takesInputFrom(x, b, "logging");
          const logged =
            !!get(b.props, "logging.targetBucket") ||
            of([S3_LOGGING]).some(
              (l) => pointsAt(l, "bucket", b, name) || pointsAt(l, "targetBucket", b, name),
            ) ||
            of([S3_BUCKET]).some((x) => x !== b && inlineTarget(x));
          if (config.requireAccessLogging && !logged)
            out.push({ message: `bucket ${name} has no server access logging.`, urn: b.urn });
          return out;
        });
    },
  }),
  resourceRule({
    name: "aws-s3-no-public-acl",
    covers: [
      "CKV_AWS_20",
      "CKV_AWS_57",
      "AVD-AWS-0092",
      "CKV_AWS_379",
      "compliance-policies:aws-s3-bucket-disallow-public-read",
    ],
    description:
      "Buckets must not use a public canned ACL (public-read, public-read-write, authenticated-read) or grant the AllUsers or AuthenticatedUsers groups, inline or through BucketAcl; a public access block that ignores public ACLs does not make one acceptable (checkov CKV_AWS_379 accepts it then).",
    severity: "critical",
    types: [S3_BUCKET, S3_BUCKET_ACL],
    tags: ["aws", "s3", "network", "security"],
    framework: awsCis("2.1.4", "Ensure that S3 Buckets are configured with 'Block public access'"),
    remediationSteps: "Drop the ACL; with BucketOwnerEnforced ownership ACLs are disabled anyway.",
    check: (p) => {
      const acl = String(p.acl ?? "");
      const out = ["public-read", "public-read-write", "authenticated-read"].includes(acl)
        ? [`canned ACL ${acl} is public.`]
        : [];
      // Explicit grants: BucketAcl's accessControlPolicy.grants[].grantee, the bucket's inline grants.
      const grantees = [
        ...asArray<any>(get(p, "accessControlPolicy.grants")).map((g) => g.grantee ?? {}),
        ...asArray<any>(p.grants),
      ];
      for (const g of grantees) {
        const group = /\/groups\/global\/(AllUsers|AuthenticatedUsers)$/.exec(String(g.uri ?? ""));
        if (group) out.push(`grants ${group[1]} access.`);
      }
      return [...new Set(out)];
    },
  }),
];
