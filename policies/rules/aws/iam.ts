/** IAM on AWS: no admin or wildcard grants, no roles anyone can assume, safe KMS key policies. */
import { awsCis } from "../../lib/frameworks";
import { asArray, cis, parseDoc, resourceRule, unreadablePolicy, type Rule } from "../../lib/rule";
import { IAM_POLICY_DOCS, IAM_POLICY_ATTACHMENTS, IAM_ROLE, KMS_KEY } from "../types";

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}

/** The statements of a policy document given as JSON text or an object (both are accepted). */
export const statements = (doc: unknown): Statement[] =>
  asArray<Statement>(parseDoc(doc).Statement);

const list = (v: string | string[] | undefined) => asArray<string>(v);
const allows = (s: Statement) => (s.Effect ?? "Allow") === "Allow";
/** A principal every AWS account (or anyone) matches. */
export const isPublicPrincipal = (p: unknown): boolean =>
  p === "*" ||
  // a list is not a valid Principal, but a `*` in one is read as everyone (checkov does too)
  (Array.isArray(p) && p.includes("*")) ||
  (typeof p === "object" &&
    p !== null &&
    asArray<string>((p as { AWS?: string | string[] }).AWS).includes("*"));

const ADMIN_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

// GitHub Actions OIDC: checkov's oidc_utils and CKV_AWS_393 (GithubActionsOIDCTrustPolicyOnRole.py
// at 03d5fdad), ported. A trust of the GitHub provider must pin the `sub` claim to a repository.
const GH_PROVIDER = "oidc-provider/token.actions.githubusercontent.com";
const GH_SUB_KEY = /^token\.actions\.githubusercontent\.com(?:\/[a-zA-Z0-9_-]+)?:sub$/;
const GH_REPO = /^(\$\{)?[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*(\})?\/[^/]+/;
/** Claims anyone who can open a pull request or name a workflow can satisfy in any repository. */
const GH_ABUSABLE_CLAIMS = ["workflow", "environment", "ref", "context", "head_ref", "base_ref"];

/** Why a `sub` condition value admits more than one repository's workflows, or undefined. */
export function unsafeGithubSub(value: string): string | undefined {
  if (value === "*") return "matches every repository";
  const claims = value.split(":");
  if (claims.length === 1) return "names a claim without a value";
  if (claims[1] === "*") return `leaves ${claims[0]} open`;
  const abusable = GH_ABUSABLE_CLAIMS.find((c) => claims[0].startsWith(c));
  if (abusable) return `starts with ${abusable}, which any repository can match`;
  if (claims[0] === "repo" && !GH_REPO.test(claims[1])) return "names no owner/repository";
  return undefined;
}

/** Problems of a trust statement for GitHub's OIDC provider (none for other principals). */
function githubTrustProblems(s: Statement): string[] {
  const federated = asArray<string>((s.Principal as { Federated?: string | string[] })?.Federated);
  if (!federated.some((f) => String(f).includes(GH_PROVIDER))) return [];
  const subs = Object.values((s.Condition ?? {}) as Record<string, Record<string, unknown>>)
    .flatMap((op) => Object.entries(op ?? {}))
    .filter(([k]) => GH_SUB_KEY.test(k))
    .flatMap(([, v]) => asArray<string>(v as never).map(String));
  if (subs.length === 0)
    return [
      "trusts GitHub Actions OIDC without a token.actions.githubusercontent.com:sub condition: any repository's workflow can assume it.",
    ];
  return subs.flatMap((v) => {
    const why = unsafeGithubSub(v);
    return why ? [`the GitHub sub condition ${v} ${why}.`] : [];
  });
}

/** Every identity-policy document a resource carries: `policy`, or a Role's inline policies. */
export const policyDocsOf = (type: string, p: Record<string, any>): unknown[] =>
  type === IAM_ROLE
    ? asArray<{ policy?: unknown }>(p.inlinePolicies)
        .map((x) => x.policy)
        .filter((d) => d !== undefined)
    : IAM_POLICY_DOCS.includes(type)
      ? [p.policy]
      : [];

/** Every managed policy a resource attaches: an attachment's `policyArn`, or a Role's managedPolicyArns. */
export const attachedArnsOf = (type: string, p: Record<string, any>): string[] =>
  type === IAM_ROLE
    ? asArray<string>(p.managedPolicyArns).map(String)
    : IAM_POLICY_ATTACHMENTS.includes(type)
      ? [String(p.policyArn ?? "")]
      : [];

/** The Allow statements of every document a resource carries. */
const allowStatements = (type: string, p: Record<string, any>) =>
  policyDocsOf(type, p).flatMap(statements).filter(allows);

/** Lower-cased copies: IAM action names are case-insensitive. */
const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

/** The types whose identity policies these rules read (documents, attachments, inline on roles). */
const IDENTITY_POLICY_TYPES = [...IAM_POLICY_DOCS, ...IAM_POLICY_ATTACHMENTS, IAM_ROLE];

export const iamRules: Rule[] = [
  resourceRule({
    name: "aws-iam-no-admin-grants",
    covers: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_274", "CKV2_AWS_56", "CKV2_AWS_40"],
    description:
      "No role or policy may grant every action (`*`, `*:*`, NotAction) or every IAM action (`iam:*`, admin by escalation), or attach AdministratorAccess, IAMFullAccess or PowerUserAccess (attachments, a role's managedPolicyArns or inline policies alike).",
    severity: "critical",
    types: IDENTITY_POLICY_TYPES,
    tags: ["aws", "iam", "security"],
    framework: awsCis(
      "1.16",
      "Ensure IAM policies that allow full *:* administrative privileges are not attached",
    ),
    remediationSteps: "Grant the actions the workload calls, on its resources (see docs/iam/).",
    check: (p, ctx) => [
      ...policyDocsOf(ctx.type, p).flatMap(unreadablePolicy),
      ...attachedArnsOf(ctx.type, p)
        .filter((arn) => ADMIN_POLICIES.some((a) => arn.endsWith(`:policy/${a}`)))
        .map((arn) => `attaches ${arn.split("/").pop()}.`),
      ...allowStatements(ctx.type, p).flatMap((s) =>
        list(s.Action).some((a) => a === "*" || a === "*:*")
          ? ["allows every action (*)."]
          : s.NotAction
            ? ["allows everything but NotAction (an admin grant by exclusion)."]
            : lower(list(s.Action)).includes("iam:*")
              ? [
                  "allows every IAM action (iam:*): a principal that writes IAM can grant itself anything.",
                ]
              : [],
      ),
    ],
  }),
  resourceRule({
    name: "aws-iam-no-service-wildcards",
    description:
      "Allow statements must not grant a whole service (`s3:*`) on every resource (`*`): name the actions, or scope the resources.",
    severity: "high",
    types: IDENTITY_POLICY_TYPES.filter((t) => !IAM_POLICY_ATTACHMENTS.includes(t)),
    tags: ["aws", "iam", "security"],
    framework: cis(
      "checkov",
      "3",
      "CKV_AWS_289 / CKV_AWS_290 / CKV_AWS_355",
      "IAM policies should not allow write or permissions management without constraints",
    ),
    remediationSteps: "List the actions (e.g. s3:GetObject) or scope Resource to ARNs.",
    check: (p, ctx) =>
      allowStatements(ctx.type, p)
        .filter((s) => list(s.Resource).includes("*") && !s.Condition)
        .flatMap((s) => list(s.Action).filter((a) => /^[\w-]+:\*$/.test(a)))
        .map((a) => `${a} on every resource.`),
  }),
  resourceRule({
    name: "aws-iam-s3-access-scoped",
    covers: ["AVD-AWS-0345", "AVD-AWS-0346"],
    description:
      "Identity policies must not grant every S3 action (`s3:*`, or AmazonS3FullAccess) unless a Deny in the same document takes it back, nor both `s3:Get*` and `s3:Put*` on every bucket: workloads list the S3 actions they call. The deployer policy in docs/iam, which a person attaches and the program does not deploy, grants s3:* on mlops-* buckets because the deployer creates and configures them.",
    severity: "high",
    types: IDENTITY_POLICY_TYPES,
    tags: ["aws", "iam", "s3", "security"],
    framework: cis(
      "trivy",
      "aws",
      "AVD-AWS-0345 / AVD-AWS-0346",
      "Disallow unrestricted S3 IAM policies",
    ),
    remediationSteps:
      "List the actions (s3:GetObject, s3:PutObject, s3:ListBucket...) on the buckets the workload uses; attach no AmazonS3FullAccess.",
    check: (p, ctx) => {
      const out = attachedArnsOf(ctx.type, p)
        .filter((arn) => arn.endsWith(":policy/AmazonS3FullAccess"))
        .map(() => "attaches AmazonS3FullAccess.");
      for (const doc of policyDocsOf(ctx.type, p)) {
        const all = statements(doc);
        // trivy AVD-AWS-0345: a Deny of s3:* in the same document overrides the grant.
        const denied = all
          .filter((s) => !allows(s))
          .some((s) => lower(list(s.Action)).includes("s3:*"));
        const granted = all.filter(allows);
        if (!denied && granted.some((s) => lower(list(s.Action)).includes("s3:*")))
          out.push("allows s3:* (every S3 action).");
        if (
          granted.some(
            (s) =>
              list(s.Resource).includes("*") &&
              lower(list(s.Action)).includes("s3:get*") &&
              lower(list(s.Action)).includes("s3:put*"),
          )
        )
          out.push("allows s3:Get* and s3:Put* on every resource.");
      }
      return out;
    },
  }),
  resourceRule({
    name: "aws-iam-pass-role-scoped",
    covers: ["AVD-AWS-0342"],
    description:
      "A grant of iam:PassRole must name the roles (not `*`) and the services they go to (iam:PassedToService), or a principal can hand any role, admin ones included, to a service it controls. trivy flags every PassRole grant; a deployer must pass roles to EKS and CodeBuild, so scoping is the control.",
    severity: "high",
    types: IDENTITY_POLICY_TYPES.filter((t) => !IAM_POLICY_ATTACHMENTS.includes(t)),
    tags: ["aws", "iam", "security"],
    framework: cis(
      "AWS IAM User Guide",
      "2026",
      "id_roles_use_passrole",
      "Granting a user permissions to pass a role to an AWS service",
    ),
    remediationSteps:
      "Scope Resource to the role ARNs and add Condition StringEquals iam:PassedToService with the services.",
    check: (p, ctx) =>
      allowStatements(ctx.type, p)
        .filter((s) => lower(list(s.Action)).includes("iam:passrole"))
        .flatMap((s) => {
          const out: string[] = [];
          if (list(s.Resource).some((r) => r === "*" || /:role\/\*$/.test(r)))
            out.push("iam:PassRole on every role.");
          const cond = JSON.stringify(s.Condition ?? {}).toLowerCase();
          if (!cond.includes("iam:passedtoservice"))
            out.push("iam:PassRole without an iam:PassedToService condition.");
          return out;
        }),
  }),
  resourceRule({
    name: "aws-iam-role-trust-not-public",
    covers: ["CKV_AWS_60", "CKV_AWS_393"],
    description:
      "A role's trust policy must not let any principal (`*`, `AWS: *`) assume it without conditions, and a trust of GitHub Actions OIDC must pin the sub claim to a repository (repo:owner/name:..., not a wildcard, a workflow, ref or environment claim any repository can match).",
    severity: "critical",
    types: [IAM_ROLE],
    tags: ["aws", "iam", "security"],
    framework: cis(
      "checkov",
      "3",
      "CKV_AWS_60 / CKV_AWS_61",
      "IAM roles should not allow everyone to assume them",
    ),
    remediationSteps:
      "Name the principal (a service, an account, an OIDC provider) and add conditions (sub, aud, SourceArn); for GitHub, StringLike token.actions.githubusercontent.com:sub = repo:<owner>/<repo>:*.",
    check: (p) => [
      ...statements(p.assumeRolePolicy)
        .filter(allows)
        .filter((s) => isPublicPrincipal(s.Principal) && !s.Condition)
        .map(() => "anyone can assume this role."),
      ...statements(p.assumeRolePolicy).filter(allows).flatMap(githubTrustProblems),
    ],
  }),
  resourceRule({
    name: "aws-kms-key-policy-safe",
    covers: [
      "CKV_AWS_33",
      "compliance-policies:aws-kms-key-disallow-bypass-policy-lockout-safety-check",
    ],
    description:
      "KMS key policies must not allow every principal without conditions, and keys must not skip the policy lockout safety check.",
    severity: "high",
    types: [KMS_KEY],
    tags: ["aws", "kms", "security"],
    framework: cis(
      "checkov",
      "3",
      "CKV_AWS_33",
      "KMS key policies should not contain wildcard principals",
    ),
    remediationSteps:
      "Omit the policy (AWS's default delegates to IAM), or name the principals and add conditions; drop bypassPolicyLockoutSafetyCheck.",
    check: (p) => [
      ...unreadablePolicy(p.policy),
      ...(p.bypassPolicyLockoutSafetyCheck === true
        ? ["bypassPolicyLockoutSafetyCheck is true."]
        : []),
      ...statements(p.policy)
        .filter(allows)
        .filter((s) => isPublicPrincipal(s.Principal) && !s.Condition)
        .map(() => "the key policy allows every principal without conditions."),
    ],
  }),
];
