/** IAM on AWS: no admin or wildcard grants, no roles anyone can assume, safe KMS key policies. */
import { awsCis } from "../../lib/frameworks";
import { asArray, cis, parseDoc, resourceRule, type Rule } from "../../lib/rule";
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
const isPublicPrincipal = (p: unknown): boolean =>
  p === "*" ||
  (typeof p === "object" &&
    p !== null &&
    asArray<string>((p as { AWS?: string | string[] }).AWS).includes("*"));

const ADMIN_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

export const iamRules: Rule[] = [
  resourceRule({
    name: "aws-iam-no-admin-grants",
    covers: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_274", "CKV2_AWS_56"],
    description:
      "No role or policy may grant every action (`*`, `*:*`, NotAction) or attach AdministratorAccess, IAMFullAccess or PowerUserAccess.",
    severity: "critical",
    types: [...IAM_POLICY_DOCS, ...IAM_POLICY_ATTACHMENTS],
    tags: ["aws", "iam", "security"],
    framework: awsCis(
      "1.16",
      "Ensure IAM policies that allow full *:* administrative privileges are not attached",
    ),
    remediationSteps: "Grant the actions the workload calls, on its resources (see docs/iam/).",
    check: (p, ctx) => {
      if (IAM_POLICY_ATTACHMENTS.includes(ctx.type)) {
        const arn = String(p.policyArn ?? "");
        return ADMIN_POLICIES.some((a) => arn.endsWith(`:policy/${a}`))
          ? [`attaches ${arn.split("/").pop()}.`]
          : [];
      }
      return statements(p.policy)
        .filter(allows)
        .flatMap((s) =>
          list(s.Action).some((a) => a === "*" || a === "*:*")
            ? ["allows every action (*)."]
            : s.NotAction
              ? ["allows everything but NotAction (an admin grant by exclusion)."]
              : [],
        );
    },
  }),
  resourceRule({
    name: "aws-iam-no-service-wildcards",
    description:
      "Allow statements must not grant a whole service (`s3:*`) on every resource (`*`): name the actions, or scope the resources.",
    severity: "high",
    types: IAM_POLICY_DOCS,
    tags: ["aws", "iam", "security"],
    framework: cis(
      "checkov",
      "3",
      "CKV_AWS_289 / CKV_AWS_290 / CKV_AWS_355",
      "IAM policies should not allow write or permissions management without constraints",
    ),
    remediationSteps: "List the actions (e.g. s3:GetObject) or scope Resource to ARNs.",
    check: (p) =>
      statements(p.policy)
        .filter(allows)
        .filter((s) => list(s.Resource).includes("*") && !s.Condition)
        .flatMap((s) => list(s.Action).filter((a) => /^[\w-]+:\*$/.test(a)))
        .map((a) => `${a} on every resource.`),
  }),
  resourceRule({
    name: "aws-iam-role-trust-not-public",
    covers: ["CKV_AWS_60"],
    description:
      "A role's trust policy must not let any principal (`*`, `AWS: *`) assume it without conditions.",
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
      "Name the principal (a service, an account, an OIDC provider) and add conditions (sub, aud, SourceArn).",
    check: (p) =>
      statements(p.assumeRolePolicy)
        .filter(allows)
        .filter((s) => isPublicPrincipal(s.Principal) && !s.Condition)
        .map(() => "anyone can assume this role."),
  }),
  resourceRule({
    name: "aws-kms-key-policy-safe",
    covers: ["CKV_AWS_33"],
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
