/** IAM on GCP: no owner, editor or admin roles for service accounts, no project-wide impersonation grants. */
import { gcpCis } from "../../lib/frameworks";
import { asArray, resourceRule, type Rule } from "../../lib/rule";
import { GCP_PROJECT_IAM } from "../types";

/** Owner, Editor and admin roles: what CIS GCP 1.5, checkov CKV_GCP_42 and trivy AVD-GCP-0007 call privileged. */
const privileged = (role: string) =>
  role === "roles/owner" || role === "roles/editor" || /admin/i.test(role);
const IMPERSONATION = ["roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"];
const membersOf = (p: Record<string, any>) => [
  ...asArray<string>(p.members),
  ...asArray<string>(p.member),
];

/** Public mail providers (trivy AVD-GCP-0069's list): not accounts an organisation controls. */
const PERSONAL_DOMAINS = [
  "gmail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "aol.com",
  "icloud.com",
  "protonmail.com",
  "mail.com",
  "zoho.com",
];

export const gcpIamRules: Rule[] = [
  resourceRule({
    name: "gcp-iam-no-admin-roles-for-service-accounts",
    covers: ["CKV_GCP_42", "AVD-GCP-0007"],
    description:
      "Service accounts must not hold Owner, Editor or an admin role (…Admin, …admin) on a project.",
    severity: "high",
    types: GCP_PROJECT_IAM,
    tags: ["gcp", "iam", "security"],
    framework: gcpCis("1.5", "Ensure That Service Account Has No Admin Privileges"),
    remediationSteps: "Grant the predefined roles the service account needs instead.",
    check: (p) =>
      privileged(String(p.role))
        ? membersOf(p)
            .filter((m) => m.startsWith("serviceAccount:"))
            .map((m) => `${m} holds ${p.role}.`)
        : [],
  }),
  resourceRule({
    name: "gcp-iam-no-project-impersonation",
    covers: ["CKV_GCP_41", "CKV_GCP_49", "AVD-GCP-0011"],
    description:
      "Service Account User and Token Creator must be granted on a service account, never project-wide (which lets the member act as every service account in the project).",
    severity: "high",
    types: GCP_PROJECT_IAM,
    tags: ["gcp", "iam", "security"],
    framework: gcpCis(
      "1.6",
      "Ensure That IAM Users Are Not Assigned the Service Account User or Service Account Token Creator Roles at Project Level",
    ),
    remediationSteps:
      "Bind the role on the one service account (gcp.serviceaccount.IAMMember) instead of the project.",
    check: (p) =>
      IMPERSONATION.includes(String(p.role)) ? [`${p.role} granted on the whole project.`] : [],
  }),
  resourceRule({
    name: "gcp-iam-no-default-service-account-grants",
    covers: ["CKV_GCP_46", "AVD-GCP-0006"],
    description:
      "Project roles must not be granted to the Compute Engine or App Engine default service accounts, which every VM and app in the project may run as.",
    severity: "high",
    types: GCP_PROJECT_IAM,
    tags: ["gcp", "iam", "security"],
    framework: gcpCis(
      "4.1",
      "Ensure That Instances Are Not Configured To Use the Default Service Account",
    ),
    remediationSteps: "Grant the role to a dedicated service account and run the workload as that.",
    check: (p) =>
      membersOf(p)
        .filter((m) => /(-compute@developer|@appspot)\.gserviceaccount\.com$/.test(m))
        .map((m) => `${m} is a default service account; grants ${p.role}.`),
  }),
  resourceRule<{ requireGroupsNotUsers: boolean }>({
    name: "gcp-iam-project-members",
    covers: ["CKV_GCP_117", "AVD-GCP-0069", "AVD-GCP-0003"],
    description:
      "Project grants must not use the basic roles (Owner, Editor, Viewer) for anyone, nor personal email accounts (gmail.com and the like); where the stack requires it, people are granted through groups, not one by one.",
    severity: "high",
    types: GCP_PROJECT_IAM,
    tags: ["gcp", "iam", "security"],
    framework: gcpCis("1.1 / 1.6", "Corporate login credentials; no basic roles"),
    remediationSteps:
      "Grant predefined roles to groups of your domain (group:...) or to service accounts.",
    config: {
      requireGroupsNotUsers: {
        type: "boolean",
        default: false,
        description: "Refuse grants to individual users (user:...); grant groups instead.",
      },
    },
    check: (p, { config }) => {
      const out: string[] = [];
      const role = String(p.role);
      if (["roles/owner", "roles/editor", "roles/viewer"].includes(role))
        out.push(`grants the basic role ${role}.`);
      for (const m of membersOf(p)) {
        if (PERSONAL_DOMAINS.some((d) => m.toLowerCase().endsWith(`@${d}`)))
          out.push(`${m} is a personal email account.`);
        if (config.requireGroupsNotUsers && m.startsWith("user:"))
          out.push(`${m} is granted ${role} directly; grant a group.`);
      }
      return out;
    },
  }),
];
