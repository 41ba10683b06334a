/** KMS: key rotation. */
import { awsCis } from "../../lib/frameworks";
import { resourceRule, type Rule } from "../../lib/rule";
import { KMS_KEY } from "../types";

export const kmsRules: Rule[] = [
  resourceRule({
    name: "aws-kms-key-rotation",
    covers: ["CKV_AWS_7", "AVD-AWS-0065", "compliance-policies:aws-kms-key-enable-key-rotation"],
    description: "Customer-managed KMS keys must rotate automatically.",
    severity: "medium",
    types: [KMS_KEY],
    tags: ["aws", "kms", "encryption"],
    framework: awsCis("3.6", "Ensure rotation for customer-created symmetric CMKs is enabled"),
    remediationSteps: "Set enableKeyRotation = true.",
    check: (p) => {
      // Automatic rotation exists only for symmetric encryption keys: signing, MAC and
      // asymmetric keys cannot rotate (docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
      const symmetric =
        (p.customerMasterKeySpec ?? p.keySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" &&
        (p.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT";
      return symmetric && p.enableKeyRotation !== true ? ["enableKeyRotation is not true."] : [];
    },
  }),
  resourceRule({
    name: "aws-kms-key-described",
    covers: ["compliance-policies:aws-kms-key-missing-description"],
    description:
      "KMS keys must say what they protect (a description), so a key found in the console or in a key policy review can be traced to its data.",
    severity: "low",
    types: [KMS_KEY],
    tags: ["aws", "kms", "review"],
    remediationSteps: "Set description (e.g. 'MLflow artifacts, mlops-prod').",
    // compliance-policies' threshold: fewer than 6 characters say nothing ("key", "kms").
    check: (p) =>
      typeof p.description !== "string" || p.description.trim() === ""
        ? ["the key has no description."]
        : p.description.trim().length < 6
          ? [`the description "${p.description}" is too short to say what the key protects.`]
          : [],
  }),
];
