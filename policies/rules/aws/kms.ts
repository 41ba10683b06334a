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
      const symmetric =
        (p.customerMasterKeySpec ?? p.keySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
      return symmetric && p.enableKeyRotation !== true ? ["enableKeyRotation is not true."] : [];
    },
  }),
];
