/** IAM on GCP: no primitive roles for service accounts, no project-wide impersonation grants. */
import { gcpCis } from "../../lib/frameworks";
import { asArray, resourceRule, type Rule } from "../../lib/rule";
import { GCP_PROJECT_IAM } from "../types";

const PRIMITIVE = ["roles/owner", "roles/editor"];
const IMPERSONATION = ["roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"];
const membersOf = (p: Record<string, any>) => [
  ...asArray<string>(p.members),
  ...asArray<string>(p.member),
];

export const gcpIamRules: Rule[] = [
  resourceRule({
    name: "gcp-iam-no-primitive-roles-for-service-accounts",
    description: "Service accounts must not hold the primitive Owner or Editor role on a project.",
    severity: "high",
    types: GCP_PROJECT_IAM,
    tags: ["gcp", "iam", "security"],
    framework: gcpCis("1.5", "Ensure That Service Account Has No Admin Privileges"),
    remediationSteps: "Grant the predefined roles the service account needs instead.",
    check: (p) =>
      PRIMITIVE.includes(String(p.role))
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
];
