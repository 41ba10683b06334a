/** KMS: key rotation. */
import { awsCis } from "../../lib/frameworks";
import { resourceRule, type Rule } from "../../lib/rule";
import { KMS_KEY } from "../types";

export const kmsRules: Rule[] = [
  resourceRule({
    name: "aws-kms-key-rotation",
    covers: ["CKV_AWS_7", "AVD-AWS-0065"],
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
];
